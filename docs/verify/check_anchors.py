"""Checks that every relative link `file.md#anchor` between the docs/ pages resolves to an
`<a id="anchor"></a>` in that file, and that no anchor id is defined twice in one file.

    python3 docs/verify/check_anchors.py
"""
import pathlib
import re
import sys

DOCS = pathlib.Path(__file__).resolve().parent.parent
ANCHOR = re.compile(r'<a id="([^"]+)"></a>')
LINK = re.compile(r'\]\(([^)#\s]*)(?:#([^)\s]+))?\)')


def main():
    anchors, problems = {}, []
    for page in sorted(DOCS.glob("*.md")):
        ids = ANCHOR.findall(page.read_text())
        dupes = {i for i in ids if ids.count(i) > 1}
        if dupes:
            problems.append(f"{page.name}: duplicate anchors {sorted(dupes)}")
        anchors[page.name] = set(ids)
    links = 0
    for page in sorted(DOCS.glob("*.md")):
        for target, anchor in LINK.findall(page.read_text()):
            if target.startswith("http"):
                continue
            name = target or page.name
            if name.endswith("/"):
                if not (DOCS / name).is_dir():
                    problems.append(f"{page.name}: missing folder {name}")
                continue
            links += 1
            if name not in anchors:
                problems.append(f"{page.name}: link to missing page {name}")
            elif anchor and anchor not in anchors[name]:
                problems.append(f"{page.name}: {name}#{anchor} has no anchor")
    total = sum(len(a) for a in anchors.values())
    print(f"{len(anchors)} pages, {total} anchors, {links} internal links checked")
    for p in problems:
        print("  " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
