#!/usr/bin/env bash
# Builds the seed corpora in fuzz/corpus/<target>/ (git-ignored) from the repository's own files:
# data/samples/*.txt, rows of data/labels.csv, models/default.bin and tests/fixtures/model-v*.bin.
# Needs bash and python3 (standard library only). Safe to re-run: it only adds or overwrites
# files named seed-*, so what the fuzzer has added to a corpus stays.
set -euo pipefail
cd "$(dirname "$0")"
root=..
for t in normalize_tokenize label_csv train_csv model_load shard_load; do mkdir -p "corpus/$t"; done

python3 - "$root" <<'PY'
import csv, io, os, sys, zlib, struct

root = sys.argv[1]
out = lambda target, name, data: open(os.path.join("corpus", target, "seed-" + name), "wb").write(
    data if isinstance(data, bytes) else data.encode("utf-8"))

with open(os.path.join(root, "data", "labels.csv"), encoding="utf-8", newline="") as f:
    rows = list(csv.DictReader(f))
# A few rows of each topic, shortest first, so seeds stay small.
by_topic = {}
for r in sorted(rows, key=lambda r: len(r["text"])):
    by_topic.setdefault(r["labels"].split("|")[0], []).append(r)
picked = [rs[0] for rs in by_topic.values()]
multi = sorted((r for r in rows if "|" in r["labels"]), key=lambda r: len(r["text"]))[:2]
picked = picked + multi

def trim(text, n=300):
    # Cut at a word boundary: seeds under the 4096-byte max_len with room to grow.
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0]

# --- normalize_tokenize: sample articles, corpus texts, and every normalizer rule at once.
samples = os.path.join(root, "data", "samples")
for name in sorted(os.listdir(samples)):
    if name.endswith(".txt"):
        out("normalize_tokenize", name, open(os.path.join(samples, name), "rb").read())
for i, r in enumerate(picked[:6]):
    out("normalize_tokenize", f"row{i}.txt", r["text"])
out("normalize_tokenize", "rules.txt",
    "\ufeffمُفاوَضـــاتُ إسطنبول ١٢٠٠ ۱۴۰۳ ﺍﻟﺴﻼﻡ ﻻ ＮＡＴＯ\u00a0کیف مؤتمر رئيس مستشفى "
    "\u202bغزة\u202c\u200c الرَّحِيمِ\u06d6 هٰذا cafe\u0301 Éric 𝐍𝐀𝐓𝐎 🇵🇸 والمفاوضات بالحرب للسلام ؟؟ «» ـــ")

# --- CSV targets: small exports built from those rows, with the variants tagger must accept.
def to_csv(header, records, newline="\n", delimiter=","):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=newline, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    w.writerows(records)
    return buf.getvalue()

short = [(trim(r["text"], 200), r["labels"]) for r in picked]
labeled = to_csv(["text", "labels"], short)
variants = {
    "plain.csv": labeled,
    "crlf.csv": to_csv(["text", "labels"], short, newline="\r\n"),
    "bom.csv": "\ufeff" + labeled,
    "quotes-newlines.csv": to_csv(["text", "labels"],
        [('قال "المتحدث": المفاوضات، في جنيف\nمستمرة', "diplomacy"), ("سطر\r\nثان, مع فاصلة", "syria|diplomacy"),
         ('""', "sports"), ("", "health")]),
    "label-column.csv": to_csv(["text", "label"], [(t, l.split("|")[0]) for t, l in short[:4]]),
    "unlabeled-rows.csv": to_csv(["text", "labels"], short[:3] + [("وصفة شوربة العدس بالليمون", "")]),
    "extra-columns.csv": to_csv(["id", "title", "text", "labels"],
        [(i, t.split(" ", 3)[0], t, l) for i, (t, l) in enumerate(short[:4])]),
    "bad-row.csv": labeled + "سطر بلا تصنيف\n" + "a,b,c,d\n",
    "header-only.csv": "text,labels\n",
    "utf16.csv": "text,labels\n".encode("utf-16"),
}
invalid = labeled.encode("utf-8") + b"bad \xff\xfe text,sports\n"
for name, data in variants.items():
    out("train_csv", name, data)
out("train_csv", "invalid-utf8.csv", invalid)

unlabeled = [(i, t.split(" ", 3)[0], t) for i, (t, _) in enumerate(short)]
export = to_csv(["id", "title", "text"], unlabeled)
label_variants = {
    "export.csv": export,
    "crlf.csv": to_csv(["id", "title", "text"], unlabeled, newline="\r\n"),
    "bom.csv": "\ufeff" + export,
    "text-only.csv": to_csv(["text"], [(t,) for t, _ in short]),
    "quotes-newlines.csv": to_csv(["id", "text"], [(1, 'قال "المتحدث":\nالمفاوضات، مستمرة'), (2, ""), (3, "\r\n")]),
    "bad-rows.csv": export + "7\n" + "8,x,y,z\n" + "9,عنوان,نص عن المباراة\n",
    "jsonl-keys.csv": to_csv(["text", "topics", "scores", "text"], [(t, "a", "b", "c") for t, _ in short[:2]]),
    "header-only.csv": "id,text\n",
    "utf16.csv": "id,text\n".encode("utf-16"),
}
for name, data in label_variants.items():
    out("label_csv", name, data)
out("label_csv", "invalid-utf8.csv", export.encode("utf-8") + b"10,\xc3\x28,\xff\n")

# --- model_load: the committed models, truncated, bit-flipped, and flipped with the CRC repaired.
fixture = open(os.path.join(root, "tests", "fixtures", "model-v1.bin"), "rb").read()
default = open(os.path.join(root, "models", "default.bin"), "rb").read()
out("model_load", "fixture-v1.bin", fixture)
# Format 2 (per-topic thresholds, fingerprints), read and converted on load.
out("model_load", "fixture-v2.bin", open(os.path.join(root, "tests", "fixtures", "model-v2.bin"), "rb").read())
# Format 3 (sections used in place), the version this tagger writes.
v3 = open(os.path.join(root, "tests", "fixtures", "model-v3.bin"), "rb").read()
out("model_load", "fixture-v3.bin", v3)
out("model_load", "default.bin", default)
def repair(b):
    b = bytearray(b)
    b[12:20] = struct.pack("<Q", len(b) - 24)
    b[20:24] = struct.pack("<I", zlib.crc32(bytes(b[24:])))
    return bytes(b)
for cut in (7, 23, 24, 100, len(fixture) // 2, len(fixture) - 1):
    out("model_load", f"fixture-cut{cut}.bin", fixture[:cut])
out("model_load", "default-cut-half.bin", default[: len(default) // 2])
for pos in (9, 13, 21, 40, 400, len(fixture) - 3):
    b = bytearray(fixture); b[pos] ^= 0x10
    out("model_load", f"fixture-flip{pos}.bin", bytes(b))
    out("model_load", f"fixture-flip{pos}-crc.bin", repair(b))
out("model_load", "fixture-cut-half-crc.bin", repair(fixture[: len(fixture) // 2]))
# Format 3 with a byte changed in the section table and in each array, the CRC repaired.
for pos in (24, 24 + 8 + 24 * 3, 24 + 8 + 24 * 5 + 8, 400, len(v3) // 3, len(v3) // 2, len(v3) - 12):
    b = bytearray(v3); b[pos] ^= 0x21
    out("model_load", f"fixture-v3-flip{pos}-crc.bin", repair(b))
out("model_load", "fixture-v3-cut-half-crc.bin", repair(v3[: len(v3) // 2]))
PY

# Models trained with other settings (n-gram ranges, kinds, modes, tokenizer and normalizer
# variants), and shard files of sharded training for shard_load.
cargo run --quiet --release --example seed_models

for t in label_csv train_csv normalize_tokenize model_load shard_load; do
  printf '%s: %s files, %s bytes\n' "$t" "$(ls "corpus/$t" | wc -l)" "$(cat corpus/$t/* | wc -c)"
done
