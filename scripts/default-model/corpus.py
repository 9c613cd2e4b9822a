"""The default model's training corpus and held-back evaluation sets, assembled from the
project's own texts and labels (in data/) and the licensed corpora in ../shared/data.

Nothing of ../shared/data is copied into the repository: this module reads it in place, and the
repository keeps only what the project adds (its texts in data/labels.csv and its labels of SANAD
politics articles in data/sanad-politics-labels.csv, keyed by a content hash).

Every choice here is deterministic (no random sampling: articles are taken in order of their
content hash), so the same files give the same corpus, row for row.
"""

import csv
import hashlib
import os

csv.field_size_limit(1 << 30)

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.path.normpath(os.environ.get("TAGGER_SHARED_DATA", os.path.join(ROOT, "..", "shared", "data")))

# SANAD-Khaleej sections whose every article is about one default topic.
SANAD_SECTIONS = {
    "finance": "economy",
    "medical": "health",
    "sports": "sports",
    "tech": "technology",
    "culture": "culture",
    "religion": "religion",
}
# ASND (Al Jazeera posts) classes that map onto a default topic. Its politics,
# crime-war-conflict, human-rights, environment, education and others classes are not read
# and so not used: an unread article is not a negative.
ASND_CLASSES = {
    "sports": "sports",
    "business-and-economy": "economy",
    "science-and-technology": "technology",
    "health": "health",
    "art-and-entertainment": "culture",
    "spiritual": "religion",
}
# Mowjaz (evaluation only: no license) topics that correspond to a default topic. Its `news`
# topic spans many of ours; `weather`, `cooking` and `misc` are none of ours.
MOWJAZ_TOPICS = {
    "art-celebrities": "culture",
    "sports": "sports",
    "economy": "economy",
    "technology": "technology",
    "health": "health",
    "religion": "religion",
}


def content_hash(text):
    """First 16 hex digits of the SHA-256 of the text's UTF-8 bytes: the key of the project's
    labels on SANAD articles, so that they survive any re-splitting of the corpus."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def loose_hash(text):
    """A hash that ignores whitespace, for finding the same article in two corpora."""
    return content_hash("".join(text.split()))


def shared_path(name):
    return os.path.join(SHARED, name)


def shared_present():
    names = ["sanad-khaleej-train.csv", "sanad-khaleej-test.csv", "asnd.csv"]
    return all(os.path.exists(shared_path(n)) for n in names)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        yield from csv.DictReader(f)


def sanad_articles():
    """(hash, text, section) of every SANAD-Khaleej article, train and test files together."""
    seen = set()
    for name in ["sanad-khaleej-train.csv", "sanad-khaleej-test.csv"]:
        for row in read_csv(shared_path(name)):
            h = content_hash(row["text"])
            if h not in seen:
                seen.add(h)
                yield h, row["text"], row["label"]


def politics_labels():
    """The project's labels on SANAD politics articles: hash -> (labels, use)."""
    out = {}
    for row in read_csv(os.path.join(ROOT, "data", "sanad-politics-labels.csv")):
        out[row["hash"]] = (row["labels"], row["use"])
    return out


def asnd_political_labels():
    """The project's labels on ASND politics and crime-war-conflict posts: hash -> labels."""
    path = os.path.join(ROOT, "data", "asnd-politics-labels.csv")
    return {row["hash"]: row["labels"] for row in read_csv(path)}


# The project's own texts: data/labels.csv (the example corpus of README and the tests) and
# data/written-news.csv (written later in the voices of many Arab outlets, for what the licensed
# corpora lack: the 2022-2025 war, and culture and economy news beyond one outlet's sections).
PROJECT_FILES = ["labels.csv", "written-news.csv"]


def project_rows():
    return [(r["text"], r["labels"]) for name in PROJECT_FILES for r in read_csv(os.path.join(ROOT, "data", name))]


def assemble(per_section=1500, religion=True, project_weight=1, asnd=True):
    """The training rows: (text, labels, source) in a fixed order.

    per_section: SANAD articles per section (the ones with the smallest content hash).
    religion: True trains `religion` as a topic, False trains religious texts as none of the
        topics, None leaves them out.
    project_weight: how many times each project text is repeated.
    """
    rows = []
    for text, labels in project_rows():
        for _ in range(project_weight):
            rows.append((text, labels, "tagger-project"))
    by_section = {}
    labeled = politics_labels()
    political = []
    for h, text, section in sanad_articles():
        if section == "politics":
            if h in labeled and labeled[h][1] == "train":
                political.append((h, text, labeled[h][0]))
        elif section in SANAD_SECTIONS:
            by_section.setdefault(section, []).append((h, text))
    for section in sorted(by_section):
        topic = SANAD_SECTIONS[section]
        if topic == "religion" and not religion:
            if religion is None:
                continue
            topic = ""  # religion=False: religious texts train as none of the topics
        for h, text in sorted(by_section[section])[:per_section]:
            rows.append((text, topic, "sanad-khaleej"))
    for h, text, labels in sorted(political):
        rows.append((text, labels, "sanad-khaleej"))
    if asnd:
        political = asnd_political_labels()
        for row in read_csv(shared_path("asnd.csv")):
            labels = political.get(content_hash(row["text"]))
            if labels is not None and row["split"] != "tst":
                rows.append((row["text"], labels, "asnd"))
                continue
            topic = ASND_CLASSES.get(row["label"])
            if topic is None or row["split"] == "tst" or (topic == "religion" and religion is None):
                continue
            if topic == "religion" and not religion:
                topic = ""
            rows.append((row["text"], topic, "asnd"))
    return rows


def asnd_section_texts():
    """ASND posts outside the `tst` split that train a section topic (not the labeled political
    posts): the outlet that cv.py --outlet-dev leaves out."""
    political = asnd_political_labels()
    for row in read_csv(shared_path("asnd.csv")):
        if row["split"] != "tst" and row["label"] in ASND_CLASSES and content_hash(row["text"]) not in political:
            yield row["text"]


def holdout_sets():
    """Real articles the default model never trains on, by name: (text, labels) lists."""
    sets = {}
    labeled = politics_labels()
    sets["sanad-politics-heldback"] = [
        (text, labeled[h][0]) for h, text, s in sanad_articles() if s == "politics" and labeled.get(h, ("", ""))[1] == "holdout"
    ]
    political = asnd_political_labels()
    sets["asnd-politics-test"] = [
        (r["text"], political[h])
        for r in read_csv(shared_path("asnd.csv"))
        if r["split"] == "tst" and (h := content_hash(r["text"])) in political
    ]
    sets["asnd-test"] = [
        (r["text"], ASND_CLASSES[r["label"]]) for r in read_csv(shared_path("asnd.csv")) if r["split"] == "tst" and r["label"] in ASND_CLASSES
    ]
    sanad_hashes = {loose_hash(text) for _, text, _ in sanad_articles()}
    mowjaz = []
    for name in ["mowjaz-train.csv", "mowjaz-test.csv"]:
        if not os.path.exists(shared_path(name)):
            continue
        for r in read_csv(shared_path(name)):
            if loose_hash(r["text"]) in sanad_hashes:
                continue  # Mowjaz also aggregates Al Khaleej: those articles are SANAD's
            topics = sorted({MOWJAZ_TOPICS[t] for t in r["labels"].split("|") if t in MOWJAZ_TOPICS})
            mowjaz.append((r["text"], "|".join(topics), r["labels"]))
    sets["mowjaz"] = mowjaz
    return sets


def write_csv(path, rows, header):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
