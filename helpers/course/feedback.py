"""The HTML feedback page a student gets for one graded assignment.

:func:`render_feedback` turns an autograded notebook and its test outcomes into
one self-contained HTML document: a score table at the top, then the notebook
as graded. The page helps the student without giving the grading away:

* hidden-test regions are replaced by one comment line, and any output line
  that repeats a hidden line (tracebacks, warnings, ``print(In[...])``) is
  blanked;
* a test cell's error shows only ``ename: evalue``, never its traceback;
* outputs are capped (per text, per image, per cell and for the whole page);
* HTML in markdown and outputs is sanitised with bleach, and the page carries
  no scripts at all and a Content-Security-Policy that forbids them.

The input notebook is never modified: all of this happens on a rebuilt copy.
"""

import html
import io
import re
import tokenize
from collections.abc import Sequence

import bleach
import nbformat
from jinja2 import DictLoader
from nbconvert import HTMLExporter
from nbconvert.filters import strip_ansi

from helpers.course.hygiene import is_test_cell, nbgrader_meta
from helpers.course.outcomes import FAILED, NOT_COUNTED, NOT_RUN, PASSED, TestOutcome
from helpers.course.report import format_points
from helpers.scorecard import NOT_ANSWERED, exercise_tests

NbNode = nbformat.NotebookNode

#: What a hidden-test region becomes in the page.
HIDDEN_TESTS_NOTICE = "# hidden tests: run by the grader, not shown"
#: What an output line that repeats hidden-test code becomes.
HIDDEN_LINE_NOTICE = "[line not shown: it repeats hidden test code]"
#: Longest stream or text output kept, in characters.
MAX_TEXT_CHARS = 20_000
#: Longest cell source kept, in characters.
MAX_SOURCE_CHARS = 50_000
#: Longest outcome message or note kept, in characters.
MAX_MESSAGE_CHARS = 5_000
#: Most outputs shown per cell.
MAX_OUTPUTS_PER_CELL = 30
#: Largest image kept, as the length of its base64 text.
MAX_IMAGE_CHARS = 1_000_000
#: Traceback lines kept for errors outside test cells (the last ones).
MAX_TRACEBACK_LINES = 15
#: Characters of sources and outputs on one page; later outputs are dropped.
PAGE_BUDGET_CHARS = 5_000_000

_BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"  # matched as nbgrader does: anywhere in a line
_END_HIDDEN = "END HIDDEN TESTS"
_MIN_HIDDEN_SNIPPET = 8  # shorter hidden lines (")", "else:") are not worth redacting
_TEXT_TYPES = ("text/plain",)
_RICH_TEXT_TYPES = ("text/html", "text/markdown", "text/latex")
_IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
_TEST_CELL_TYPES = ("text/plain", "image/png", "image/jpeg")
_FEEDBACK_KEY = "course_feedback_html"
_STATUS_LOOK = {
    PASSED: ("passed", "✔"),
    FAILED: ("failed", "✘"),
    NOT_RUN: ("not-run", "–"),
    NOT_COUNTED: ("not-counted", "!"),
}

_ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s",
    "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "u", "ul",
})
_IMAGE_DATA_URI = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,", re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"<style\b[^>]*>.*?</style\s*>", re.IGNORECASE | re.DOTALL)

_PAGE_CSS = """
.fb-summary { max-width: 1100px; margin: 1.5em auto 2em; padding: 0 16px; font-family: var(--jp-ui-font-family); }
.fb-summary h1 { font-size: 1.6em; margin-bottom: 0.2em; }
.fb-summary .fb-meta { font-size: 1.1em; margin: 0.2em 0 1em; }
.fb-scores { border-collapse: collapse; width: 100%; }
.fb-scores th, .fb-scores td { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
.fb-scores th { background: #f3f3f3; }
.fb-message { white-space: pre-wrap; word-break: break-word; margin: 0; font-family: var(--jp-code-font-family); font-size: 0.9em; }
.fb-status { font-weight: bold; white-space: nowrap; }
.fb-passed .fb-status { color: #1a7f37; }
.fb-failed .fb-status { color: #c62828; }
.fb-not-run .fb-status { color: #666; }
.fb-not-counted .fb-status, .fb-other .fb-status { color: #b26a00; }
.fb-badge { margin: 2px 0 14px 70px; padding: 6px 10px; border-left: 5px solid #999; background: #f7f7f7; font-family: var(--jp-ui-font-family); }
.fb-badge.fb-passed { border-color: #1a7f37; background: #eef8f0; }
.fb-badge.fb-failed { border-color: #c62828; background: #fdeeee; }
.fb-badge.fb-not-counted, .fb-badge.fb-other { border-color: #b26a00; background: #fff6e5; }
.fb-badge .fb-message { margin-top: 4px; }
.fb-notes li { white-space: pre-wrap; }
"""

# Extends nbconvert's "lab" template: no scripts (require.js, MathJax, mermaid, widgets),
# a CSP that forbids them anyway, the score summary on top and a badge under each test cell.
_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; form-action 'none'; base-uri 'none'">
{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}<style type="text/css">{{ resources.feedback_css }}</style>{%- endblock extra_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.feedback_summary }}
{%- endblock body_header -%}
{% block codecell %}
{{ super() }}
{{ cell.metadata.get('""" + _FEEDBACK_KEY + """', '') }}
{%- endblock codecell %}
"""


def render_feedback(
    notebook: NbNode,
    outcomes: Sequence[TestOutcome],
    *,
    student: str,
    assignment: str,
    notes: Sequence[str] = (),
) -> str:
    """The feedback page for one student's graded notebook.

    Args:
        notebook: The autograded notebook: test cells hold their full source,
            hidden tests included, and outputs are as executed. Not modified.
        outcomes: One outcome per test cell, in the order the table shows them.
        student: The student's id, shown at the top.
        assignment: The assignment's name, shown at the top.
        notes: Lines the student may see (repairs made, flags raised).

    Returns:
        A complete HTML document with no scripts and no external resources.
    """
    page = feedback_notebook(notebook, outcomes)
    page.metadata["title"] = f"Feedback: {assignment} ({student})"
    exporter = HTMLExporter(
        sanitize_html=True,
        extra_loaders=[DictLoader({"feedback.html.j2": _TEMPLATE})],
        template_file="feedback.html.j2",
        filters={"clean_html": clean_html},
    )
    resources = {
        "feedback_css": _PAGE_CSS,
        "feedback_summary": _summary_html(
            outcomes, student=student, assignment=assignment, notes=notes,
            titles={cell.metadata.nbgrader.grade_id: title for title, cell in exercise_tests(notebook)},
        ),
    }
    body, _ = exporter.from_notebook_node(page, resources=resources)
    return body


def feedback_notebook(notebook: NbNode, outcomes: Sequence[TestOutcome]) -> NbNode:
    """A sanitised copy of ``notebook``, ready to render; ``notebook`` is not modified.

    Hidden-test regions become :data:`HIDDEN_TESTS_NOTICE`, outputs are
    filtered and capped as the module describes, cell and notebook metadata are
    rebuilt from scratch (only tags are kept), and each test cell carries the
    HTML of its result badge.
    """
    by_id = {outcome.grade_id: outcome for outcome in outcomes}
    sources, hidden = [], []
    for cell in notebook.cells:
        visible, hidden_lines = hide_hidden_tests(cell.get("source", ""))
        sources.append(visible)
        hidden += hidden_lines
    redactor = _HiddenLineRedactor(hidden, sources)
    budget = _Budget(PAGE_BUDGET_CHARS)
    page = nbformat.v4.new_notebook()
    page.metadata = nbformat.from_dict({
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python", "pygments_lexer": "ipython3"},
    })
    for cell, source in zip(notebook.cells, sources):
        source = _cap_text(source, MAX_SOURCE_CHARS)
        budget.take(len(source))
        page.cells.append(_page_cell(cell, source, redactor, budget, by_id))
    return page


def hide_hidden_tests(source: str) -> tuple[str, list[str]]:
    """Replace each hidden-test region of a cell's source by one comment line.

    A region runs from a line containing ``BEGIN HIDDEN TESTS`` to one
    containing ``END HIDDEN TESTS``, both marker lines included (the same rule
    nbgrader applies). An unterminated region runs to the end of the cell; a
    stray end marker is dropped.

    Returns:
        The visible source and the hidden lines (markers included).
    """
    visible: list[str] = []
    hidden: list[str] = []
    inside = False
    for line in source.split("\n"):
        if _BEGIN_HIDDEN in line:
            if not inside:
                indent = line[: len(line) - len(line.lstrip())]
                visible.append(indent + HIDDEN_TESTS_NOTICE)
            inside = True
            hidden.append(line)
        elif _END_HIDDEN in line:
            inside = False
            hidden.append(line)
        elif inside:
            hidden.append(line)
        else:
            visible.append(line)
    return "\n".join(visible), hidden


def clean_html(text: str) -> str:
    """Sanitise HTML from markdown or an output with bleach: safe tags stay, the rest is escaped.

    Used as nbconvert's ``clean_html`` filter, whose own allow-list escapes
    headings, paragraphs and tables. ``<style>`` blocks are removed; scripts,
    event handlers (``onerror=``), forms and iframes are escaped into visible
    text; images may only be embedded ``data:image/...`` URIs.
    """
    text = text.decode() if isinstance(text, bytes) else str(text)
    return bleach.clean(
        _STYLE_BLOCK.sub("", text),
        tags=_ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols={"http", "https", "mailto", "data"},
        strip_comments=True,
    )


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Bleach's attribute filter: classes and ids anywhere, links and data-URI images."""
    if name in ("class", "id", "title"):
        return True
    if tag == "a":
        return name == "href" and not value.lower().startswith("data:")
    if tag == "img":
        return name in ("alt", "width", "height") or (name == "src" and bool(_IMAGE_DATA_URI.match(value)))
    if tag in ("td", "th"):
        return name in ("align", "colspan", "rowspan")
    return False


class _Budget:
    """Characters left for the page; once spent, outputs are dropped."""

    def __init__(self, chars: int) -> None:
        self.left = chars

    def take(self, chars: int) -> bool:
        """Spend ``chars`` if that many are left; say whether they were."""
        if chars > self.left:
            self.left = 0
            return False
        self.left -= chars
        return True


class _HiddenLineRedactor:
    """Blanks output that repeats hidden-test code (ANSI colours, spaces and line breaks ignored).

    A line of output that contains a whole hidden line is blanked. Output that
    repeats hidden code in pieces (half a line per print, one character per
    line) is caught by comparing it, with all whitespace removed, against every
    :data:`_GRAM`-character run of the hidden code that the visible code does not also hold.
    """

    def __init__(self, hidden_lines: Sequence[str], visible_sources: Sequence[str]) -> None:
        visible = {line.strip() for source in visible_sources for line in source.split("\n")}
        snippets = {
            line.strip() for line in hidden_lines
            if len(line.strip()) >= _MIN_HIDDEN_SNIPPET and line.strip() not in visible
        }
        ordered = sorted(snippets, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
        seen = _grams("".join(visible_sources))
        self.grams = set().union(*map(_grams, _code_without_strings("\n".join(hidden_lines)))) - seen

    def _pieces_leak(self, text: str) -> bool:
        return bool(self.grams) and not self.grams.isdisjoint(_grams(strip_ansi(text)))

    def lines(self, text: str) -> str:
        """``text`` with each line that contains hidden code replaced by a notice (all of it, if in pieces)."""
        if self.pattern is not None and self.pattern.search(strip_ansi(text)):
            text = "\n".join(
                HIDDEN_LINE_NOTICE if self.pattern.search(strip_ansi(line)) else line for line in text.split("\n")
            )
        return HIDDEN_LINE_NOTICE if self._pieces_leak(text) else text

    def leaks(self, text: str) -> bool:
        """Whether rich text (HTML, markdown, LaTeX) shows hidden code anywhere."""
        plain = html.unescape(re.sub(r"<[^>]*>", "", text))
        return (self.pattern is not None and bool(self.pattern.search(plain))) or self._pieces_leak(plain)


#: Length of the runs of hidden code (whitespace removed) that output must not repeat.
_GRAM = 24


def _code_without_strings(code: str) -> list[str]:
    """The pieces of ``code`` between its string literals and comments: what is code, not a message it shows."""
    pieces, current = [], []
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type in (tokenize.STRING, tokenize.COMMENT):
                pieces.append(" ".join(current))
                current = []
            elif token.string.strip():
                current.append(token.string)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return re.split(r"#[^\n]*|(['\"]).*?\1", code)[::2]
    return pieces + [" ".join(current)]


def _grams(text: str) -> set[str]:
    """Every ``_GRAM``-character run of ``text`` once its whitespace is removed."""
    packed = re.sub(r"\s+", "", text)
    return {packed[i : i + _GRAM] for i in range(len(packed) - _GRAM + 1)}


def _cap_text(text: str, limit: int) -> str:
    """``text`` cut to about ``limit`` characters (at a line end if one is near), with a notice."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit) + 1
    if cut < limit // 2:
        cut = limit
    return text[:cut] + f"\n[... {len(text) - cut:,} more characters cut ...]\n"


def _notice(text: str) -> NbNode:
    """A stream output carrying one line from the feedback page itself."""
    return nbformat.v4.new_output("stream", name="stdout", text=f"[{text}]\n")


def _page_cell(cell: NbNode, source: str, redactor: _HiddenLineRedactor, budget: _Budget, by_id: dict) -> NbNode:
    """The page's copy of one cell: visible source, cleaned outputs, fresh metadata."""
    tags = [str(tag) for tag in cell.get("metadata", {}).get("tags", []) if isinstance(tag, str)]
    if cell.cell_type == "code":
        test = is_test_cell(cell)
        count = cell.get("execution_count")
        new = nbformat.v4.new_code_cell(source, execution_count=count if type(count) is int else None)
        new.outputs = _page_outputs(cell.get("outputs", []), test, redactor, budget)
        if test:
            grade_id = str(nbgrader_meta(cell).get("grade_id", ""))
            shown = {"\n".join(out.traceback).strip() for out in new.outputs if out.output_type == "error"}
            new.metadata[_FEEDBACK_KEY] = _badge_html(grade_id, by_id.get(grade_id), shown)
    elif cell.cell_type == "markdown":
        new = nbformat.v4.new_markdown_cell(source)
        attachments = {
            name: {mime: data for mime, data in bundle.items() if mime in _IMAGE_TYPES and len(data) <= MAX_IMAGE_CHARS}
            for name, bundle in cell.get("attachments", {}).items()
        }
        if attachments and budget.take(sum(len(d) for bundle in attachments.values() for d in bundle.values())):
            new.attachments = attachments
    else:
        new = nbformat.v4.new_raw_cell(source)
        if cell.get("metadata", {}).get("raw_mimetype") in ("text/html", "text/markdown"):
            new.metadata["raw_mimetype"] = cell.metadata["raw_mimetype"]
    if tags:
        new.metadata["tags"] = tags
    return new


def _page_outputs(outputs: Sequence[NbNode], test: bool, redactor: _HiddenLineRedactor, budget: _Budget) -> list[NbNode]:
    """A cell's outputs as the page shows them: filtered, capped, redacted, within budget."""
    merged = _merge_streams(outputs)
    kept: list[NbNode] = []
    for output in merged[:MAX_OUTPUTS_PER_CELL]:
        new = _page_output(output, test, redactor)
        if new is None:
            continue
        if not budget.take(_output_size(new)):
            kept.append(_notice(f"output not shown: the page reached its {PAGE_BUDGET_CHARS:,}-character limit"))
            return kept
        kept.append(new)
    if len(merged) > MAX_OUTPUTS_PER_CELL:
        kept.append(_notice(f"... {len(merged) - MAX_OUTPUTS_PER_CELL:,} more outputs not shown"))
    return kept


def _merge_streams(outputs: Sequence[NbNode]) -> list[dict]:
    """Outputs with consecutive chunks of the same stream joined (a print loop is one output)."""
    merged: list[dict] = []
    for output in outputs:
        kind = output.get("output_type")
        if kind == "stream":
            name = "stderr" if output.get("name") == "stderr" else "stdout"
            text = _as_text(output.get("text", ""))
            if merged and merged[-1]["output_type"] == "stream" and merged[-1]["name"] == name:
                merged[-1]["text"].append(text)
            else:
                merged.append({"output_type": "stream", "name": name, "text": [text]})
        else:
            merged.append(output)
    return merged


def _page_output(output: dict, test: bool, redactor: _HiddenLineRedactor) -> NbNode | None:
    """One output rebuilt from its allowed parts, or None when nothing of it may be shown."""
    kind = output.get("output_type")
    if kind == "stream":
        text = redactor.lines(_cap_text("".join(output["text"]), MAX_TEXT_CHARS))
        return nbformat.v4.new_output("stream", name=output["name"], text=text)
    if kind == "error":
        ename, evalue = str(output.get("ename", "Error")), str(output.get("evalue", ""))
        if test:
            lines = [f"{ename}: {evalue}"]
        else:
            lines = "\n".join(_as_text(line) for line in output.get("traceback", [])).split("\n")
            if len(lines) > MAX_TRACEBACK_LINES:
                cut = len(lines) - MAX_TRACEBACK_LINES
                lines = [f"[... {cut:,} earlier traceback lines cut ...]"] + lines[cut:]
        text = redactor.lines(_cap_text("\n".join(lines), MAX_TEXT_CHARS))
        return nbformat.v4.new_output("error", ename=ename, evalue=evalue[:MAX_TEXT_CHARS], traceback=text.split("\n"))
    if kind in ("display_data", "execute_result"):
        data = _page_data(output.get("data", {}), test, redactor)
        if not data:
            return None
        if kind == "execute_result":
            count = output.get("execution_count")
            return nbformat.v4.new_output(kind, data=data, execution_count=count if type(count) is int else None)
        return nbformat.v4.new_output(kind, data=data)
    return None


def _page_data(data: dict, test: bool, redactor: _HiddenLineRedactor) -> dict:
    """A display bundle reduced to the mimetypes the page shows, each within its cap."""
    allowed = _TEST_CELL_TYPES if test else _TEXT_TYPES + _RICH_TEXT_TYPES + _IMAGE_TYPES
    kept: dict[str, str] = {}
    dropped: list[str] = []
    for mime, value in data.items():
        if mime not in allowed:
            dropped.append(f"{mime} output not shown")
            continue
        value = _as_text(value)
        if mime in _IMAGE_TYPES:
            if len(value) > MAX_IMAGE_CHARS:
                dropped.append(f"image not shown: {len(value) / 1e6:.1f} MB, over the {MAX_IMAGE_CHARS / 1e6:g} MB limit")
            else:
                kept[mime] = value
        elif mime in _RICH_TEXT_TYPES:
            if len(value) > MAX_TEXT_CHARS:
                dropped.append(f"{mime} output of {len(value):,} characters not shown")
            elif redactor.leaks(value):
                dropped.append(f"{mime} output not shown: it repeats hidden test code")
            else:
                kept[mime] = value
        else:
            kept[mime] = redactor.lines(_cap_text(value, MAX_TEXT_CHARS))
    if dropped and not any(mime in kept for mime in _IMAGE_TYPES + _RICH_TEXT_TYPES):
        kept["text/plain"] = (kept.get("text/plain", "") + "\n" + "\n".join(f"[{d}]" for d in dropped)).strip("\n")
    return kept


def _as_text(value) -> str:
    """Notebook text, which may be stored as a list of lines."""
    return "".join(value) if isinstance(value, list) else str(value)


def _output_size(output: NbNode) -> int:
    """Characters an output adds to the page, roughly."""
    if output.output_type == "stream":
        return len(output.text)
    if output.output_type == "error":
        return sum(len(line) for line in output.traceback)
    return sum(len(value) for value in output.data.values())


def _status_look(status: str) -> tuple[str, str]:
    """CSS class suffix and symbol for a status (unknown ones look like a warning)."""
    return _STATUS_LOOK.get(status, ("other", "?"))


def _message_html(message: str) -> str:
    """A multi-line message, escaped and capped, with its line breaks kept."""
    if not message:
        return ""
    return f'<pre class="fb-message">{html.escape(_cap_text(message, MAX_MESSAGE_CHARS))}</pre>'


def _badge_html(grade_id: str, outcome: TestOutcome | None, shown: set[str]) -> str:
    """The result line shown under a test cell; its message is left out when the cell's error already shows it."""
    anchor = html.escape(f"fb-{grade_id}")
    if outcome is None:
        return f'<div class="fb-badge fb-other" id="{anchor}"><span class="fb-status">? no result</span> · {html.escape(grade_id)}</div>'
    look, symbol = _status_look(outcome.status)
    points = format_points(outcome.points, outcome.max_points)
    return (
        f'<div class="fb-badge fb-{look}" id="{anchor}"><span class="fb-status">{symbol} {html.escape(outcome.status)}</span>'
        f" · {html.escape(grade_id)} · {points} points"
        f"{'' if outcome.message.strip() in shown else _message_html(outcome.message)}</div>"
    )


def _shown_message(message: str) -> str:
    """An unanswered exercise says so, rather than ``NotImplementedError:``."""
    return NOT_ANSWERED if message.strip() == "NotImplementedError:" else message


def _summary_html(
    outcomes: Sequence[TestOutcome], *, student: str, assignment: str, notes: Sequence[str], titles: dict[str, str]
) -> str:
    """The top of the page: who, what, the total, one row per test (named by its exercise), and the notes."""
    rows = []
    for outcome in outcomes:
        look, symbol = _status_look(outcome.status)
        anchor = html.escape(f"#fb-{outcome.grade_id}")
        name = html.escape(outcome.grade_id)
        if titles.get(outcome.grade_id, outcome.grade_id) != outcome.grade_id:
            name = f"{html.escape(titles[outcome.grade_id])}<br><small>{name}</small>"
        rows.append(
            f'<tr class="fb-{look}"><td><a href="{anchor}">{name}</a></td>'
            f"<td>{format_points(outcome.points, outcome.max_points)}</td>"
            f'<td><span class="fb-status">{symbol} {html.escape(outcome.status)}</span></td>'
            f"<td>{_message_html(_shown_message(outcome.message))}</td></tr>"
        )
    total = format_points(sum(o.points for o in outcomes), sum(o.max_points for o in outcomes))
    notes_html = ""
    if notes:
        items = "".join(f"<li>{html.escape(_cap_text(str(note), MAX_MESSAGE_CHARS))}</li>" for note in notes)
        notes_html = f'<section class="fb-notes"><h2>Notes</h2><ul>{items}</ul></section>'
    return (
        '<header class="fb-summary">'
        f"<h1>Feedback: {html.escape(assignment)}</h1>"
        f'<p class="fb-meta">Student: <b>{html.escape(student)}</b> · Score: <b>{total}</b> points</p>'
        '<table class="fb-scores"><thead><tr><th>Exercise (test)</th><th>Points</th><th>Status</th><th>Message</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>{notes_html}"
        "<p>Below is your notebook as it was graded. Hidden tests were run by the grader and are not shown.</p>"
        "</header>"
    )
