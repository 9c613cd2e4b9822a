from os import PathLike
from typing import Iterable, Optional, Sequence, Union

import numpy as np
import numpy.typing as npt

class TaggerError(Exception): ...
class DataError(TaggerError): ...
class ModelFileError(TaggerError): ...
class SettingsError(TaggerError): ...

class Prediction:
    topics: list[str]
    scores: dict[str, float]
    def __init__(self, topics: list[str], scores: dict[str, float]) -> None: ...

class Model:
    @classmethod
    def default(cls) -> Model: ...
    @classmethod
    def load(cls, path: Union[str, PathLike[str]]) -> Model: ...
    def save(self, path: Union[str, PathLike[str]]) -> None: ...
    @classmethod
    def from_bytes(cls, data: bytes) -> Model: ...
    def to_bytes(self) -> bytes: ...
    def differences(self, other: Model, rel_tol: float = 1e-12) -> list[str]: ...
    @property
    def topics(self) -> list[str]: ...
    @property
    def thresholds(self) -> list[float]: ...
    def info(self, top: int = 10) -> dict: ...
    def predict(
        self, texts: Iterable[str], threshold: Optional[float] = None, top_k: Optional[int] = None
    ) -> list[Prediction]: ...
    def predict_proba(self, texts: Iterable[str]) -> npt.NDArray[np.float64]: ...
    def label_frame(
        self,
        df: "pandas.DataFrame",
        text_column: Union[str, Sequence[str]] = "text",
        threshold: Optional[float] = None,
        top_k: Optional[int] = None,
        wide: bool = False,
    ) -> "pandas.DataFrame": ...

SETTINGS: tuple[str, ...]

def train(
    texts: Iterable[str],
    labels: Sequence[Union[str, Sequence[str]]],
    *,
    tune_thresholds: Optional[int] = None,
    seed: Optional[int] = None,
    about: Optional[str] = None,
    kind: Optional[str] = None,
    mode: Optional[str] = None,
    alpha: Optional[float] = None,
    ngrams: Optional[tuple[int, int]] = None,
    min_df: Optional[Union[int, float]] = None,
    max_df: Optional[Union[int, float]] = None,
    max_features: Optional[int] = None,
    sublinear_tf: Optional[bool] = None,
    stem: Optional[bool] = None,
    keep_numbers: Optional[bool] = None,
    stopwords: Optional[Sequence[str]] = None,
    threshold: Optional[float] = None,
) -> Model: ...
def cross_validate(
    texts: Iterable[str],
    labels: Sequence[Union[str, Sequence[str]]],
    folds: int = 5,
    *,
    seed: Optional[int] = None,
    kind: Optional[str] = None,
    mode: Optional[str] = None,
    alpha: Optional[float] = None,
    ngrams: Optional[tuple[int, int]] = None,
    min_df: Optional[Union[int, float]] = None,
    max_df: Optional[Union[int, float]] = None,
    max_features: Optional[int] = None,
    sublinear_tf: Optional[bool] = None,
    stem: Optional[bool] = None,
    keep_numbers: Optional[bool] = None,
    stopwords: Optional[Sequence[str]] = None,
    threshold: Optional[float] = None,
) -> dict: ...
