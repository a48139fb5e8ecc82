"""Build the sample corpus files from samples/wikipedia/articles.yaml.

Writes, next to the YAML (or under --out):
  en.parquet, de.parquet, hy.parquet  the Hugging Face `wikimedia/wikipedia` layout
                                      (id, url, title, text) plus a `views` column
  langlinks.tsv                       source_id, language, target_title (English -> other)
  paired.jsonl                        a pre-paired sample (see generators.mining.readers)

Run `python samples/build_samples.py` after editing the YAML and commit the outputs.
"""

import argparse
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

HERE = Path(__file__).resolve().parent / "wikipedia"
SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "de", "hy")
PAIRED_KEYS = ("ararat", "yerevan", "curie", "moon")
SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("url", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("views", pa.int64()),
    ]
)


def article_url(language: str, title: str) -> str:
    """A plausible Wikipedia URL for a title (it need not resolve)."""
    return f"https://{language}.wikipedia.org/wiki/{quote(title.replace(' ', '_'))}"


def article_text(article: dict[str, Any]) -> str:
    """The article text as the dumps lay it out: paragraphs and headings split by blank lines."""
    blocks = [article["intro"].strip()]
    for section in article.get("sections", []):
        blocks += [section["heading"].strip(), section["text"].strip()]
    return "\n\n".join(blocks)


def language_rows(entries: list[dict[str, Any]], language: str) -> list[dict[str, Any]]:
    """One parquet row per article in `language`."""
    return [
        {
            "id": str(e[language]["id"]),
            "url": article_url(language, e[language]["title"]),
            "title": e[language]["title"],
            "text": article_text(e[language]),
            "views": int(e[language]["views"]),
        }
        for e in entries
        if language in e
    ]


def langlink_rows(entries: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(source_id, language, target_title) for every linked non-English article."""
    rows = []
    for e in entries:
        if SOURCE_LANGUAGE not in e:
            continue
        linked = e.get("links", [lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE])
        for lang in linked:
            if lang in e:
                rows.append((str(e[SOURCE_LANGUAGE]["id"]), lang, e[lang]["title"]))
    return rows


def paired_rows(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Pre-paired records (English intro and its counterpart) for a few topics."""
    by_key = {e["key"]: e for e in entries}
    rows = []
    for key in PAIRED_KEYS:
        source = by_key[key][SOURCE_LANGUAGE]
        for lang in LANGUAGES[1:]:
            target = by_key[key][lang]
            rows.append(
                {
                    "id": f"{key}-{lang}",
                    "source_language": SOURCE_LANGUAGE,
                    "source_id": str(source["id"]),
                    "source_title": source["title"],
                    "source_url": article_url(SOURCE_LANGUAGE, source["title"]),
                    "source_text": source["intro"].strip(),
                    "source_popularity": source["views"],
                    "target_language": lang,
                    "target_id": str(target["id"]),
                    "target_title": target["title"],
                    "target_url": article_url(lang, target["title"]),
                    "target_text": target["intro"].strip(),
                    "target_popularity": target["views"],
                }
            )
    return rows


def build(source: Path, out_dir: Path) -> list[Path]:
    """Write every sample file under `out_dir`; return their paths."""
    entries = yaml.safe_load(source.read_text(encoding="utf-8"))
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for language in LANGUAGES:
        table = pa.Table.from_pylist(language_rows(entries, language), schema=SCHEMA)
        path = out_dir / f"{language}.parquet"
        pq.write_table(table, path, compression="zstd")
        written.append(path)
    links = out_dir / "langlinks.tsv"
    lines = ["source_id\tlanguage\ttarget_title"]
    lines += ["\t".join(row) for row in langlink_rows(entries)]
    links.write_text("\n".join(lines) + "\n", encoding="utf-8")
    paired = out_dir / "paired.jsonl"
    paired.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in paired_rows(entries)),
        encoding="utf-8",
    )
    return [*written, links, paired]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=HERE / "articles.yaml")
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    for path in build(args.source, args.out):
        print(path)


if __name__ == "__main__":
    main()
