"""The teaching kit (convdocs.figures.teaching): decks, handout, zips, teaching.json, and its hook.

The slide files come from ``tests/teaching_standin.py``, a stand-in for ``convdocs slides``:
page PNGs centred on 1920x1080. The fast tests use a few figures; the slow ones all of them,
twice (byte-identical), and render the decks with LibreOffice Impress. Without ``soffice``
or ``pdftoppm``/``pdftotext`` those tests skip with a message, except under ``$CI``, where
they fail (``.ci/run`` installs Debian's libreoffice-impress and poppler-utils).
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest

from convdocs.figures import teaching

import teaching_standin

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "figures"
DOCS = ROOT / "docs"
MANIFEST = json.loads((FIGURES / "manifest.json").read_text())
# a static figure, an animation (with a GIF slide) and the tallest figure (cut in two)
FEW = ["journey", "convolution", "receptive-field", "tiny-cnn"]
P14 = "{http://schemas.microsoft.com/office/powerpoint/2010/main}"


def _kit(out: Path, names) -> Path:
    teaching_standin.make(out, names)
    teaching.assemble(out, FIGURES, docs_dir=DOCS, log=lambda *a: None)
    return out


@pytest.fixture(scope="module")
def few(tmp_path_factory) -> Path:
    return _kit(tmp_path_factory.mktemp("kit"), FEW)


@pytest.fixture(scope="module")
def every(tmp_path_factory) -> Path:
    return _kit(tmp_path_factory.mktemp("kit"), None)


@pytest.fixture(scope="module", params=["few", pytest.param("every", marks=pytest.mark.slow)])
def kit(request) -> Path:
    return request.getfixturevalue(request.param)


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = (f"no {tool} for the teaching-kit rendering tests: apt-get update && "
                   f"apt-get install -y libreoffice-impress poppler-utils")
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return path


def deck(kit: Path, theme: str):
    from pptx import Presentation
    return Presentation(str(kit / f"convdocs-{theme}.pptx"))


# -- the decks -------------------------------------------------------------------------------

@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_figure_part_has_a_slide_with_title_picture_alt_notes_and_credit(kit, theme):
    figures = teaching.read_slides(kit)
    prs = deck(kit, theme)
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)   # 13.333 x 7.5 in
    slides = list(prs.slides)
    assert len(slides) == 1 + sum(len(f.parts) for f in figures)        # + the title slide
    parts = [(f, k, len(f.parts)) for f in figures for k in range(1, len(f.parts) + 1)]
    for slide, (figure, k, n) in zip(slides[1:], parts):
        texts = [s.text_frame.text for s in slide.shapes if s.has_text_frame]
        # the title is the slide's title placeholder: outlines and screen readers use it;
        # it is the title written on the slide image, "Title (2/2)" for a part
        part_title = figure.parts[k - 1].title
        assert part_title == (figure.title if n == 1 else f"{figure.title} ({k}/{n})")
        assert slide.shapes.title.text_frame.text == part_title
        assert MANIFEST["attribution"] in texts
        (pic,) = [s for s in slide.shapes if s.shape_type == 13]       # MSO_SHAPE_TYPE.PICTURE
        # the alt text describes the whole figure; a part's picture says it is a part (a
        # cut figure's part has no name of its own: its title would only repeat the figure's)
        assert figure.parts[k - 1].part == ""
        assert figure.alt != "" and pic._element.nvPicPr.cNvPr.get("descr") == (
            figure.alt if n == 1 else
            f"Part {k} of {n} of the figure. The whole figure: {figure.alt}")
        width, height = pic.image.size
        assert width >= 1600 and (width, height) == (1920, 1080)
        assert pic.image.ext == ("gif" if figure.animated and n == 1 else "png")
        assert slide.notes_slide.notes_text_frame.text == figure.caption
        # the picture fills the slide at its own size, so its digits keep their 36 px; the
        # title placeholder names the slide from just above it, not over the picture
        assert (pic.left, pic.top, pic.width, pic.height) == (0, 0, prs.slide_width,
                                                             prs.slide_height)
        title_shape = slide.shapes.title
        assert title_shape.text_frame.text and title_shape.top + title_shape.height <= 0


@pytest.mark.slow
def test_a_declared_parts_deck_slide_is_named_and_described_as_that_part(tmp_path):
    # With the real `convdocs slides`: the slide image says "Hand-picked and learned
    # filters: the filters (1/3)"; the title placeholder (outlines, screen readers) used to
    # say only "... (1 of 3)", and each part's picture had the whole figure's alt text.
    from pptx import Presentation

    from convdocs.figures import slides
    assert slides.build_slides(only=["decider-filters"], out=tmp_path, jobs=1,
                               log=lambda *a: None) == 0
    (listed,) = json.loads((tmp_path / "slides.json").read_text())["figures"]
    wanted = [p["title"] for p in listed["parts"]]
    names = [p["part"] for p in listed["parts"]]
    assert len(wanted) == 3 and len(set(wanted)) == 3
    # the title on the slide names the figure, the part and its number; the picture's
    # description names the part once, then describes the whole figure
    assert wanted == [f"{listed['title']}: {name} ({k}/3)" for k, name in enumerate(names, 1)]
    (figure,) = teaching.read_slides(tmp_path)
    data, _ = teaching.deck_bytes([figure], "light", MANIFEST["themes"]["light"],
                                  MANIFEST["attribution"], {}, "test")
    deck = Presentation(io.BytesIO(data))
    slides_ = list(deck.slides)[1:]
    assert [s.shapes.title.text for s in slides_] == wanted
    for k, (slide, name) in enumerate(zip(slides_, names), 1):
        (pic,) = [s for s in slide.shapes if s.shape_type == 13]
        assert name and pic._element.nvPicPr.cNvPr.get("descr") == (
            f"Part {k} of 3 of the figure: {name}. The whole figure: {listed['alt']}")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_one_section_per_chapter_in_site_order_with_its_slides(kit, theme):
    figures = teaching.read_slides(kit)
    prs = deck(kit, theme)
    sections = prs.part._element.findall(f".//{P14}sectionLst/{P14}section")
    ids = [s.slide_id for s in prs.slides]
    pages = list(dict.fromkeys(f.page for f in figures))
    chapters = teaching.chapter_titles(pages, DOCS)
    assert [s.get("name") for s in sections] == ["convdocs"] + [chapters[p] for p in pages]
    expected, i = [[ids[0]]], 1
    for page in pages:
        n = sum(len(f.parts) for f in figures if f.page == page)
        expected.append(ids[i:i + n])
        i += n
    assert [[int(x.get("id")) for x in s.iter(f"{P14}sldId")] for s in sections] == expected
    # every section id is a braced GUID, and each is different
    assert all(re.fullmatch(r"\{[0-9A-F-]{36}\}", s.get("id")) for s in sections)
    assert len({s.get("id") for s in sections}) == len(sections)


def test_the_dark_deck_has_the_dark_background_and_light_text(few):
    dark = MANIFEST["themes"]["dark"]
    assert dark["background"] == "#1e2129"
    for slide in deck(few, "dark").slides:
        assert str(slide.background.fill.fore_color.rgb) == "1E2129"
        colour = slide.shapes.title.text_frame.paragraphs[0].runs[0].font.color.rgb
        assert str(colour) == dark["text"].lstrip("#").upper()


def test_the_decks_have_fixed_dates_and_zip_times(few):
    for theme in ("light", "dark"):
        props = deck(few, theme).core_properties
        assert props.created.year == props.modified.year == 1980 and props.revision == 1
        assert props.last_modified_by == "convdocs"
        with zipfile.ZipFile(few / f"convdocs-{theme}.pptx") as z:
            assert {i.date_time for i in z.infolist()} == {teaching.FIXED_DATE}
            assert z.infolist()[0].filename == "[Content_Types].xml"


# -- the handout ---------------------------------------------------------------------------

def _pdf_streams(data: bytes) -> list[bytes]:
    """Every stream of a PDF, inflated where it is Flate-compressed."""
    out = []
    for m in re.finditer(rb"stream\r?\n", data):
        raw = data[m.end():data.find(b"endstream", m.end())]
        if raw.rstrip().endswith(b"~>"):          # ASCII85 first, as reportlab writes
            try:
                raw = base64.a85decode(raw.rstrip()[:-2])
            except ValueError:
                pass
        try:
            out.append(zlib.decompressobj().decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def test_the_handout_is_vector(few):
    data = (few / teaching.HANDOUT).read_bytes()
    streams = b"\n".join(_pdf_streams(data))
    paths = len(re.findall(rb"\s(?:re|c|l)\s", streams))
    assert b"BT" in streams and paths > 5000, paths       # text, and thousands of path ops
    # the only pictures are the figures' own small images (a photo, a heatmap), never a
    # rasterised figure or page: at most 600 px a side
    sizes = [tuple(map(int, m)) for m in re.findall(rb"/W (\d+) /H (\d+)", streams)]
    for m in re.finditer(rb"/Subtype\s*/Image", data):     # image XObjects, keys in any order
        start = data.rfind(b"<<", 0, m.start())
        head = data[start:data.find(b"stream", m.end())]
        sizes.append((int(re.search(rb"/Width (\d+)", head).group(1)),
                      int(re.search(rb"/Height (\d+)", head).group(1))))
    assert sizes and max(max(s) for s in sizes) <= 600, sorted(sizes)[-3:]


def test_hatches_and_opacity_are_spelled_out_for_svglib():
    # stride-odd hatches its skipped cells with a <pattern>; svglib draws no patterns
    svg = (FIGURES / "stride-odd.light.svg").read_bytes()
    hatched = svg.count(b"fill: url(#")
    out = teaching.svg_for_svglib(svg)
    assert hatched > 0 and b"fill: url(#" not in out
    assert out.count(b'clip-path="url(#hatch-clip-') == hatched
    # receptive-field's nested squares are translucent through `opacity`, which svglib skips
    svg = (FIGURES / "receptive-field.light.svg").read_bytes()
    out = teaching.svg_for_svglib(svg)
    assert re.findall(rb"[; ]opacity: ([\d.]+)", svg) == re.findall(rb"fill-opacity: ([\d.]+)",
                                                                     out)
    assert not re.search(rb"[;\s\"]opacity:", out)


@pytest.mark.slow
def test_the_handout_draws_every_svg_as_the_png_shows_it(tmp_path):
    """Each figure as svglib draws it (what the handout prints), rasterised at the PNG's
    200 dpi, differs from the committed PNG only along edges (anti-aliasing)."""
    import numpy as np
    from PIL import Image
    from reportlab.graphics import renderPDF
    from svglib.svglib import svg2rlg
    pdftoppm = need("pdftoppm")
    worst = []
    for entry in MANIFEST["figures"]:
        files = {f["kind"]: f for f in entry["files"]
                 if f["theme"] == "light" and f.get("layout", "page") == "page"}
        svg = (FIGURES / files["svg"]["path"]).read_bytes()
        pdf = tmp_path / f"{entry['name']}.pdf"
        renderPDF.drawToFile(svg2rlg(io.BytesIO(teaching.svg_for_svglib(svg))), str(pdf))
        subprocess.run([pdftoppm, "-r", "200", "-png", "-singlefile", str(pdf),
                        str(pdf.with_suffix(""))], check=True)
        png = Image.open(FIGURES / files["png"]["path"]).convert("RGB")
        got = Image.open(pdf.with_suffix(".png")).convert("RGB").resize(png.size)
        far = np.abs(np.asarray(png, int) - np.asarray(got, int)).max(axis=2) > 64
        worst.append((far.mean(), entry["name"]))
    # today the worst is 2.5% of pixels; an undrawn feature (say, opacity) makes 17%
    assert max(worst) < (0.04, ""), sorted(worst)[-3:]


def _words(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def test_the_handout_has_every_title_and_caption(kit):
    pdftotext = need("pdftotext")
    text = subprocess.run([pdftotext, "-enc", "UTF-8", str(kit / teaching.HANDOUT), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = _words(text)
    for figure in teaching.read_slides(kit):
        assert _words(figure.caption) in text, figure.name
        assert _words(figure.title) in text, figure.name


# -- the zips and the record -----------------------------------------------------------------

@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_zip_holds_every_file_of_its_theme_and_a_readme(kit, theme):
    figures = teaching.read_slides(kit)
    with zipfile.ZipFile(kit / f"convdocs-figures-{theme}.zip") as z:
        infos = z.infolist()
        names = [i.filename for i in infos]
        assert names == sorted(names)
        assert {i.date_time for i in infos} == {teaching.FIXED_DATE}
        assert {i.external_attr >> 16 for i in infos} == {0o100644}
        top = f"convdocs-figures-{theme}/"
        readme = z.read(top + "README.txt").decode()
        assert MANIFEST["attribution"] in readme and "CC BY 4.0" in readme
        for f in figures:
            entry = next(e for e in MANIFEST["figures"] if e["name"] == f.name)
            for file in entry["files"]:
                if file["theme"] == theme and file["kind"] in ("png", "svg", "gif", "frames"):
                    folder = file.get("layout", "page") + "/"
                    assert z.read(top + folder + file["path"]) == \
                        (FIGURES / file["path"]).read_bytes()
            for part in f.parts:
                for path in part.files[theme].values():
                    assert z.read(top + "slides/" + path.name) == path.read_bytes()
            assert f"  alt: {f.alt}" in readme
        other = "dark" if theme == "light" else "light"
        assert not any(f".{other}." in n for n in names)


def test_teaching_json_records_every_file(few):
    record = json.loads((few / "teaching.json").read_text())
    files = {f["file"]: f for f in record["files"]}
    assert sorted(files) == sorted(["convdocs-light.pptx", "convdocs-dark.pptx",
                                    teaching.HANDOUT, "convdocs-figures-light.zip",
                                    "convdocs-figures-dark.zip"])
    for name, f in files.items():
        data = (few / name).read_bytes()
        assert (f["bytes"], f["sha256"]) == (len(data), teaching.sha256(data))
    assert files["convdocs-light.pptx"]["slides"] == len(deck(few, "light").slides)


# -- rebuilds: the same bytes, nothing redone, nothing else touched ---------------------------

def test_a_rebuild_with_nothing_changed_writes_nothing(tmp_path):
    out = _kit(tmp_path, ["journey", "grid"])
    (out / "mine.txt").write_text("not the kit's")
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    said = []
    teaching.assemble(out, FIGURES, docs_dir=DOCS, log=said.append)
    assert all("up to date" in s for s in said) and len(said) == 5
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == before
    # a changed slide rebuilds the decks and the zips, not the handout
    slides = json.loads((out / "slides.json").read_text())
    part = slides["figures"][0]["parts"][0]["files"]["light"]["png"]
    from PIL import Image
    img = Image.open(out / part["path"])
    img.putpixel((0, 0), (1, 2, 3))
    img.save(out / part["path"])
    part["sha256"] = teaching.sha256((out / part["path"]).read_bytes())
    (out / "slides.json").write_text(json.dumps(slides))
    said.clear()
    teaching.assemble(out, FIGURES, docs_dir=DOCS, log=said.append)
    assert [s.split()[1] == "wrote" for s in said] == [True, True, False, True, True], said
    assert (out / "mine.txt").read_text() == "not the kit's"
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
def test_two_builds_are_byte_identical(every, tmp_path):
    again = _kit(tmp_path, None)
    for name in ("convdocs-light.pptx", "convdocs-dark.pptx", teaching.HANDOUT,
                 "convdocs-figures-light.zip", "convdocs-figures-dark.zip", "teaching.json"):
        assert (again / name).read_bytes() == (every / name).read_bytes(), name


# -- LibreOffice renders every slide -------------------------------------------------------

@pytest.fixture(scope="module")
def office() -> tuple[str, str]:
    """soffice and pdftoppm, looked for before the slow kit is built."""
    return need("soffice"), need("pdftoppm")


@pytest.mark.slow
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_libreoffice_renders_every_slide_with_its_picture(office, every, theme, tmp_path):
    soffice, pdftoppm = office
    home = tmp_path / "home"
    home.mkdir()
    proc = subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir",
                           str(tmp_path), str(every / f"convdocs-{theme}.pptx")],
                          env=dict(os.environ, HOME=str(home)), capture_output=True,
                          text=True, timeout=600)
    pdf = tmp_path / f"convdocs-{theme}.pdf"
    assert pdf.is_file(), proc.stdout + proc.stderr
    subprocess.run([pdftoppm, "-r", "12", "-png", str(pdf), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    assert len(pages) == len(deck(every, theme).slides)
    import numpy as np
    from PIL import Image
    background = np.frombuffer(bytes.fromhex(MANIFEST["themes"][theme]["background"][1:]),
                               dtype=np.uint8).astype(int)
    for page in pages[1:]:
        img = np.asarray(Image.open(page).convert("RGB")).astype(int)
        h, w, _ = img.shape
        # the picture area (between the title band and the credit line) is not empty
        middle = img[h * 13 // 100: h * 95 // 100, w // 20: w * 19 // 20]
        differs = np.abs(middle - background).sum(axis=2) > 60
        assert differs.mean() > 0.005, page.name
        # and the corner is the theme's background: the slide's own fill
        assert np.abs(img[1, 1] - background).sum() < 30, page.name


# -- errors say what to do -----------------------------------------------------------------

def test_without_slides_json_the_message_says_run_make_slides(tmp_path):
    with pytest.raises(teaching.KitError, match=r"slides\.json is missing: run `make slides`"):
        teaching.assemble(tmp_path, FIGURES)


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.update(figures=[]), r"'figures' must be a non-empty list"),
    (lambda d: d["figures"][0].pop("alt"), r"figure 'journey': 'alt' must be a non-empty str"),
    (lambda d: d["figures"][0]["parts"][0].update(width=1280),
     r"part 1: slides must be 1920x1080 \(got 1280x1080\)"),
    (lambda d: d["figures"].append(d["figures"][0]), r"'journey' is listed twice"),
    (lambda d: d["figures"][0]["parts"][0].pop("title"),
     r"figure 'journey', part 1: 'title' must be a non-empty str"),
    (lambda d: d["figures"][0]["parts"][0]["files"]["dark"]["png"].update(sha256="0" * 64),
     r"journey\.slide(-1)?\.dark\.png does not match its sha256"),
])
def test_a_malformed_slides_json_is_named(tmp_path, mutate, message):
    teaching_standin.make(tmp_path, ["journey"])
    doc = json.loads((tmp_path / "slides.json").read_text())
    mutate(doc)
    (tmp_path / "slides.json").write_text(json.dumps(doc))
    with pytest.raises(teaching.KitError, match=message):
        teaching.assemble(tmp_path, FIGURES, log=lambda *a: None)
    assert not list(tmp_path.glob("*.pptx"))


def test_importing_the_kit_loads_neither_pptx_nor_matplotlib():
    code = ("import sys, convdocs, convdocs.figures.teaching; "
            "print([m for m in ('pptx', 'reportlab', 'svglib', 'matplotlib') "
            "if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_the_cli_reports_a_missing_slides_json(tmp_path, monkeypatch, capsys):
    from convdocs.figures import cli
    monkeypatch.setattr(teaching, "default_paths", lambda: (FIGURES, tmp_path, DOCS))
    assert cli.main(["deck"]) == 1
    assert "run `make slides`" in capsys.readouterr().err


# -- one run at a time, temporaries, stopping ------------------------------------------------

def test_a_killed_decks_half_written_file_is_cleared_by_the_next_run(tmp_path):
    # The deck's temporary files used to go in the kit folder itself (.NAME.XXXX.tmp), and
    # a deck killed while writing left them there (7 MB) for good. They now go in
    # .convdocs-tmp/, which each run empties under the lock and removes when done.
    from convdocs.figures import build
    teaching_standin.make(tmp_path, ["journey"])
    tmp = tmp_path / build.TMP
    tmp.mkdir()
    (tmp / "convdocs-light.pptx.ib8zphts.tmp").write_bytes(b"half a deck")
    # a file of that old name is not known to be the kit's: it is left alone
    mine = tmp_path / ".convdocs-light.pptx.ib8zphts.tmp"
    mine.write_bytes(b"not known to be the kit's")
    teaching.assemble(tmp_path, FIGURES, log=lambda *a: None)
    assert not tmp.exists()
    assert mine.read_bytes() == b"not known to be the kit's"
    assert (tmp_path / "convdocs-light.pptx").is_file()


def test_a_deck_while_another_run_writes_the_folder_is_refused(tmp_path, capsys):
    from convdocs.figures import build, cli
    teaching_standin.make(tmp_path, ["journey"])
    with build.locked(tmp_path):
        assert cli.main(["deck", "--out", str(tmp_path)]) == 1
    assert "another convdocs build is writing" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.pptx"))


@pytest.mark.parametrize("out", ["", " "])
def test_an_empty_deck_out_is_refused(tmp_path, monkeypatch, capsys, out):
    from convdocs.figures import cli
    monkeypatch.setattr(teaching, "default_paths", lambda: (FIGURES, tmp_path, DOCS))
    teaching_standin.make(tmp_path, ["journey"])
    assert cli.main(["deck", "--out", out]) == 1
    assert f"--out is empty ({out!r})" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.pptx"))


def test_deck_out_is_the_slides_folder(tmp_path, monkeypatch):
    from convdocs.figures import cli
    monkeypatch.setattr(teaching, "default_paths", lambda: (FIGURES, tmp_path / "default", DOCS))
    kit = teaching_standin.make(tmp_path / "kit", ["journey"])
    assert cli.main(["deck", "--out", str(kit)]) == 0
    assert (kit / "convdocs-dark.pptx").is_file() and not (tmp_path / "default").exists()


def test_ctrl_c_during_deck_is_a_message_and_130_not_a_traceback(tmp_path, monkeypatch, capsys):
    from convdocs.figures import cli

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(teaching, "default_paths", lambda: (FIGURES, tmp_path, DOCS))
    teaching_standin.make(tmp_path, ["journey"])
    monkeypatch.setattr(teaching, "deck_bytes", interrupted)
    try:
        assert cli.main(["deck"]) == 130     # (tests/conftest.py puts SIGINT's handler back)
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C came out of `convdocs deck` as KeyboardInterrupt")
    err = capsys.readouterr().err
    assert "convdocs: interrupted; every file" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [".convdocs-build.lock", "figures",
                                                          "slides.json"]


@pytest.mark.parametrize("signum", ["SIGTERM", "SIGHUP"])
def test_sigterm_during_deck_stops_it_like_ctrl_c(tmp_path, monkeypatch, capsys, signum):

    from convdocs.figures import cli
    signum = getattr(signal, signum)
    reached = []

    def before(s, frame):       # in place of the default, which would end pytest
        reached.append(s)

    def killed(*args, **kwargs):
        signal.raise_signal(signum)
        raise AssertionError("the signal did not stop the deck")

    previous = signal.signal(signum, before)
    try:
        monkeypatch.setattr(teaching, "default_paths", lambda: (FIGURES, tmp_path, DOCS))
        teaching_standin.make(tmp_path, ["journey"])
        monkeypatch.setattr(teaching, "deck_bytes", killed)
        assert cli.main(["deck"]) == 128 + signum
        # the deck's own handler took the signal, and the one before is back
        assert reached == [] and signal.getsignal(signum) is before
    finally:
        signal.signal(signum, previous)
    err = capsys.readouterr().err
    assert "interrupted; every file" in err and "Traceback" not in err


# -- the site hook ---------------------------------------------------------------------------

spec = importlib.util.spec_from_file_location("teaching_hook", DOCS / "hooks" / "teaching.py")
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)


def _page(src):
    return SimpleNamespace(file=SimpleNamespace(src_uri=src), url=src.replace(".md", "/"))


def test_the_hook_lists_the_kit_with_sizes_and_publishes_its_files(few):
    from mkdocs.structure.files import Files
    config = SimpleNamespace(config_file_path=str(few.parent.parent / "mkdocs.yml"),
                             site_dir="/nowhere", use_directory_urls=True)
    hook._state.update(dir=few, files=hook.read_record(few))
    files = hook.on_files(Files([]), config)
    assert sorted(f.src_uri for f in files) == sorted(
        f"teaching/{p.name}" for p in few.glob("convdocs-*.*"))
    out = hook.on_page_markdown("Intro\n\n[[teaching-kit]]\n\n```\n[[teaching-kit]]\n```\n",
                                _page("gallery.md"), None, None)
    size = hook.size((few / "convdocs-light.pptx").stat().st_size)
    assert f"[convdocs-light.pptx](teaching/convdocs-light.pptx), {size}" in out
    assert out.count("convdocs-figures-dark.zip](") == 1
    assert out.endswith("```\n[[teaching-kit]]\n```\n")          # code stays code


def test_without_a_kit_the_hook_says_so_and_publishes_nothing(tmp_path):
    assert hook.read_record(tmp_path) is None
    hook._state.update(dir=tmp_path, files=None)
    out = hook.on_page_markdown("[[teaching-kit]]", _page("gallery.md"), None, None)
    assert "built without the teaching kit" in out and "make slides" in out


def test_the_hook_refuses_a_record_that_does_not_match_the_files(few, tmp_path):
    from mkdocs.exceptions import PluginError
    shutil.copy(few / "teaching.json", tmp_path / "teaching.json")
    with pytest.raises(PluginError, match=r"convdocs-light\.pptx is listed in teaching\.json "
                                          r"but missing: run `make slides`"):
        hook.read_record(tmp_path)


def test_mkdocs_runs_the_teaching_hook_before_the_figures_hook():
    text = (ROOT / "mkdocs.yml").read_text()
    hooks = re.findall(r"^  - (docs/hooks/\S+)", text.split("\nhooks:\n")[1], re.M)
    assert hooks.index("docs/hooks/teaching.py") < hooks.index("docs/hooks/figures.py")
    assert "[[teaching-kit]]" in (DOCS / "gallery.md").read_text()
    assert "[[teaching-kit]]" in (DOCS / "rebuild-and-reuse.md").read_text()


def test_a_parts_description_names_the_part_once_and_a_cut_part_not_at_all():
    def part(title, name=""):
        return teaching.SlidePart(files={}, width=1920, height=1080, sha256={}, title=title,
                                  part=name)
    declared = teaching.SlideFigure(
        name="tiny-cnn", page="p", title="A tiny CNN at work", caption="c",
        alt="Seven columns of feature maps.", animated=False,
        parts=(part("A tiny CNN at work: the input (1/2)", "the input"),
               part("A tiny CNN at work: first convolution (2/2)", "first convolution")))
    assert teaching.part_alt(declared, 2) == ("Part 2 of 2 of the figure: first convolution. "
                                              "The whole figure: Seven columns of feature maps.")
    cut = teaching.SlideFigure(name="conv-1x1", page="p", title="1 x 1", caption="c",
                               alt="Three grids.", animated=False,
                               parts=(part("1 x 1 (1/2)"), part("1 x 1 (2/2)")))
    assert teaching.part_alt(cut, 1) == "Part 1 of 2 of the figure. The whole figure: Three grids."


def test_the_deck_reads_the_slide_list_format_the_slides_step_writes(tmp_path):
    from convdocs.figures import slides
    assert teaching.SLIDES_FORMAT == slides.FORMAT
    kit = teaching_standin.make(tmp_path / "kit", ["journey"])
    listed = json.loads((kit / "slides.json").read_text())
    listed["format"] = 99
    (kit / "slides.json").write_text(json.dumps(listed))
    with pytest.raises(teaching.KitError, match="format 99, not 2"):
        teaching.read_slides(kit)
