#!/usr/bin/env python3
"""HTML-to-text and MediaWiki-to-text throughput, Winnow beside Python references, one run.

    ANCHORS_VENV=/tmp/anchors-venv python3 Benchmarks/markup.py      # needs: pip install trafilatura lxml_html_clean beautifulsoup4 lxml mwparserfromhell

HTML: the 60 GNE news pages and the 254 Debian handbook pages (15 MB), each extractor on one
core in its own process: trafilatura (main text), BeautifulSoup + lxml (`get_text` after
dropping script/style/noscript), and `winnow extract --threads 1` (main text; and on all cores).
GNE pages are also scored against GNE's reference output (token F1, scripts/html_f1.py).
MediaWiki: the enwiki excerpt (206 pages, 6.1 MB uncompressed), repeated 5 times inside one
<mediawiki> root (30 MB), parsed from the uncompressed file: Python streams it with
xml.etree.iterparse and converts wikitext with mwparserfromhell's strip_code; Winnow with
`winnow extract --format mediawiki`. MB/s are of input bytes per second of wall time; peak
memory is the process's maximum RSS. Prints a Markdown table.
"""
import bz2
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
VENV = Path(os.environ.get("ANCHORS_VENV", "/tmp/anchors-venv"))
PY = str(VENV / "bin" / "python")
WINNOW = str(ROOT / ".build" / "release" / "winnow")
WORK = Path(tempfile.mkdtemp(prefix="winnow-markup-"))

HTML_PAGES = sorted(glob.glob(str(DATA / "html_zh_news_gne" / "**" / "*.html"), recursive=True)) + \
    sorted(glob.glob(str(DATA / "html_debian_handbook" / "*" / "*.html")))

PY_HTML = r'''
import json, sys, time, resource
kind, out = sys.argv[1], sys.argv[2]
pages = sys.stdin.read().split("\n")
if kind == "trafilatura":
    import trafilatura
    def run(b): return trafilatura.extract(b.decode("utf-8", "replace") if False else b, include_comments=False) or ""
else:
    from bs4 import BeautifulSoup
    def run(b):
        soup = BeautifulSoup(b, "lxml")
        for t in soup(["script", "style", "noscript", "template"]): t.decompose()
        return soup.get_text("\n", strip=True)
start = time.perf_counter()
with open(out, "w", encoding="utf-8") as f:
    for p in pages:
        with open(p, "rb") as h: b = h.read()
        f.write(json.dumps({"_source": p, "text": run(b)}, ensure_ascii=False) + "\n")
print(json.dumps({"seconds": time.perf_counter() - start, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''

PY_WIKI = r'''
import json, sys, time, resource
import xml.etree.ElementTree as ET
import mwparserfromhell
path = sys.argv[1]
start = time.perf_counter()
n = 0
ns = "{http://www.mediawiki.org/xml/export-0.10/}"
for event, el in ET.iterparse(path, events=("end",)):
    if el.tag == ns + "page":
        if el.findtext(ns + "ns") == "0" and el.find(ns + "redirect") is None:
            text = el.findtext(ns + "revision/" + ns + "text") or ""
            plain = mwparserfromhell.parse(text).strip_code()
            n += 1
        el.clear()
print(json.dumps({"seconds": time.perf_counter() - start, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "pages": n}))
'''


def timed(cmd, **kw):
    """Wall time and peak RSS (MB) of a command, by GNU time."""
    kw.setdefault("stdout", subprocess.DEVNULL)
    proc = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", *cmd], stderr=subprocess.PIPE, text=True, **kw)
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed:\n{proc.stderr[-2000:]}")
    m = re.search(r"TIME ([0-9.]+) ([0-9]+)", proc.stderr)
    return float(m.group(1)), int(m.group(2)) / 1024, proc


def f1(pages_jsonl, source_prefix):
    """Average token F1 on the GNE pages that have a reference."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import html_f1
    refs = html_f1.references(DATA / "html_zh_news_gne" / "gne_reference_output.txt")
    got = {}
    for line in open(pages_jsonl, encoding="utf-8"):
        o = json.loads(line)
        got[o["_source"].split("html_zh_news_gne/")[-1]] = o.get("text", "")
    scores = [html_f1.score(ref, got.get(page, ""))[2] for page, ref in refs.items()]
    return sum(scores) / len(scores)


def main():
    html_bytes = sum(os.path.getsize(p) for p in HTML_PAGES)
    rows = []
    gne = str(DATA / "html_zh_news_gne")
    for kind in ["trafilatura", "bs4_lxml"]:
        out = WORK / f"{kind}.jsonl"
        proc = subprocess.run([PY, "-c", PY_HTML, kind, str(out)], input="\n".join(HTML_PAGES), capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(proc.stderr[-2000:])
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        rows.append(("HTML → text", f"{kind} (Python, 1 core)", r["seconds"], html_bytes, r["rss_mb"], f1(out, gne)))
    for threads in [1, 2]:
        out = WORK / f"winnow-{threads}.jsonl"
        with open(out, "w") as f:
            seconds, rss, _ = timed([WINNOW, "extract", "--format", "html", "--source", "--threads", str(threads), *HTML_PAGES], stdout=f)
        rows.append(("HTML → text", f"winnow extract ({threads} thread{'s' if threads > 1 else ''})", seconds, html_bytes, rss, f1(out, gne)))

    # MediaWiki: the excerpt's pages five times over in one root element.
    src = bz2.decompress(next((DATA / "mediawiki_xml_samples").glob("enwiki-latest-pages-articles1*.bz2")).read_bytes()).decode("utf-8")
    head, rest = src.split("<page>", 1)
    body, tail = ("<page>" + rest).rsplit("</page>", 1)
    dump = WORK / "enwiki-x5.xml"
    dump.write_text(head + (body + "</page>\n") * 5 + tail, encoding="utf-8")
    wiki_bytes = dump.stat().st_size
    proc = subprocess.run([PY, "-c", PY_WIKI, str(dump)], capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(proc.stderr[-2000:])
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    rows.append(("MediaWiki → text", "iterparse + mwparserfromhell (Python, 1 core)", r["seconds"], wiki_bytes, r["rss_mb"], None))
    for threads in [1, 2]:
        seconds, rss, _ = timed([WINNOW, "extract", "--format", "mediawiki", "--quiet", "--threads", str(threads), str(dump)])
        rows.append(("MediaWiki → text", f"winnow extract ({threads} thread{'s' if threads > 1 else ''})", seconds, wiki_bytes, rss, None))

    print(f"| task | tool | input | seconds | MB/s | peak RSS | GNE token F1 |")
    print(f"|---|---|---:|---:|---:|---:|---:|")
    for task, tool, seconds, size, rss, score in rows:
        print(f"| {task} | {tool} | {size / 1e6:.1f} MB | {seconds:.2f} | {size / 1e6 / seconds:.2f} | {rss:.0f} MB | {'' if score is None else f'{score:.3f}'} |")


if __name__ == "__main__":
    main()
