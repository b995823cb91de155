"""BibTeX export and import, one module per seam: :mod:`.encode` (text to LaTeX),
:mod:`.decode` (LaTeX to text, URL fields to URLs), :mod:`.names`, :mod:`.export`
and :mod:`.reader` (import).  Plain Python (no MkDocs import).

Decoding goes through pylatexenc and bibtexparser's name helpers: the .bib files
DBLP, the ACL Anthology and Scholar write use far more LaTeX than this tool's own
encoder, and both libraries already know it.

Export
======

:func:`export_bibtex` writes one entry per paper, sorted by key, after a
one-line ``%`` header.  The entries are built as :class:`bibtexparser.model.Entry`
objects whose field values are already complete BibTeX values (``{...}``
braced text, bare digits for ``year``, a bare month macro such as ``aug``), and
written with :func:`bibtexparser.write_string` with an empty unparse stack, so
bibtexparser adds no enclosing and no escaping of its own (its
``LatexEncodingMiddleware`` would escape our protective braces; it is not used).

The text is pure ASCII and compiles without a single warning with plain
pdflatex + bibtex (``plain``, natbib ``plainnat``) and with biblatex + biber,
with ``\\usepackage[T1]{fontenc}`` + ``[utf8]{inputenc}`` or LaTeX's bare OT1
default -- except that OT1 fonts have no ogonek, eth, thorn, eng, d with stroke
or guillemets (``\\k``, ``\\dh``, ``\\th``, ``\\ng``, ``\\dj`` ... are
T1-only).  tests/test_bibtex.py runs all of these.

* Text is escaped by :func:`latex_escape_text`: ``% & $ # _`` become ``\\%``
  ..., ``^`` ``\\^{}``, backslash ``\\textbackslash{}``, braces ``\\{``/``\\}``
  when they pair up in the text (BibTeX counts braces even after a backslash,
  so an unpaired one is written ``\\textbraceleft{}``/``\\textbraceright{}``),
  ``~ < > |`` and the backtick as ``\\textasciitilde{}``, ``\\textless{}``,
  ``\\textgreater{}``, ``\\textbar{}``, ``\\textasciigrave{}``.  ASCII pairs
  that TeX fonts turn into ligatures (``--``, ``''``, ``,,`` ...) are split with
  ``{}``.  Accented letters become braced accent commands (``{\\"o}``,
  ``{\\r{a}}``, ``{\\c{c}}``, ``{\\'i}``), special letters ``{\\ss}``,
  ``{\\o}``, ``{\\l}``, ``{\\i}`` ..., typographic punctuation the usual TeX
  input (en/em dashes ``--``/``---``, curly double quotes ``````/``''``, single
  ones ``\\textquoteleft{}``/``\\textquoteright{}``, ``\\ldots{}``), math symbols
  and Greek letters braced math (``{$\\times$}``, ``{$\\rightarrow$}``,
  ``{$\\leq$}``, ``{$\\alpha$}``).  A character with none of these forms is
  replaced by its compatibility decomposition when that is ASCII (ligature
  "ﬁ" -> "fi") and otherwise dropped (CJK, emoji): the output never contains a
  non-ASCII character.
* Biber turns accent commands back into Unicode, and pdflatex's utf8 input
  knows only some accented letters (not most of Latin Extended Additional, nor
  any letter with two accents); for those the accent argument gets an empty
  group (``{\\~{\\^{e{}}}}`` for "ễ"), which biber leaves alone, and a
  letter accent (``\\d``, ``\\u``, ``\\c`` ...) on them is dropped ("ạ" ->
  "a") because biber mangles every form of it.  Commands whose names have
  capitals are written as BibTeX special characters (``{\\S}``), since styles
  lowercase the rest of a title.
* :func:`latex_escape_title` also protects capitals from lowercasing styles by
  bracing a word when one of its hyphen/slash-separated parts has a capital
  after its first character (``{LLMs}``, ``{CItruS}``, ``{MoE}``, ``{KV}``), when
  it mixes digits and letters (``{GPT-4}``, ``{T5}``, ``{1.58-bit}``), or when it
  is the pronoun "I".  The decision is made on the original text and the
  escaped word is wrapped afterwards, so escaping never touches these braces.
* Names are written "Last, First" (or "Last, Jr., First"), with name particles
  in the last part (see :func:`survey_core.model.keys.split_name`); a partial author list
  ends with ``and others``.

Entry shape, in this field order::

    @misc{bai2024citrus,            @inproceedings / @article when a venue is known
      author = {Bai, Yu and ...},   or key = {{<title>}} when authors are unknown
      title = {{CItruS}: ...},
      booktitle / journal / howpublished = {<venue>},
      year = 2024,
      month = jun,
      eprint = {2406.12018},
      archivePrefix = {arXiv},
      primaryClass = {cs.CL},       only when known
      doi = {10.18653/v1/...},      only when known (and safe, like the url)
      url = {https://arxiv.org/abs/2406.12018},
    }

A known venue gives ``@inproceedings`` + ``booktitle`` (conferences, workshops,
"Findings of ...") or ``@article`` + ``journal`` (see :func:`venue_kind`) --
but only when the authors and the year are known, because ``plain`` and
``plainnat`` warn about an empty author or year in those types; otherwise the
entry stays ``@misc`` with the venue in ``howpublished``. With no author, a
``key`` field (the title up to its first colon, braced so that natbib's
``\\bibitem[...]`` label survives brackets and parentheses) lets
``plain``/``plainnat`` sort the entry without "to sort, need author or key".
``url`` is the arXiv abstract page, else the landing page, the project or the
PDF link; a URL is
written only when it contains nothing but letters, digits and ``: / . - ? = + ,
; @ ! * ( ) '``, because plainnat prints it through ``\\texttt`` when the url
package is absent, where ``_ % # & ~`` break or change it, while biblatex reads
the field verbatim (so no escaping could suit both).

The one warning no single file can avoid: an entry without a year makes
``plainnat`` say "empty year in <key>" (every entry type formats the year), and
any non-numeric placeholder such as ``n.d.`` would make biber warn instead.  The
year is then left out; ``plain`` and biber stay silent.

Import
======

:func:`parse_bibtex` reads a ``.bib`` file with bibtexparser and decodes the
LaTeX in every text field with :func:`latex_decode` (pylatexenc, taught the
encoder's commands) and URL escapes in ``url``/``doi`` with :func:`url_decode`.
Exporting a record and importing the result gives back exactly the same title,
authors, authors_complete, year, month, arxiv_id, primary_class and venue, for
any text whose characters have a LaTeX form (see above: CJK, emoji and the
dropped letter accents do not) and whose whitespace is single spaces; an author
whose name has no LaTeX form at all is left out and the list ends with ``and others``.
"""

from __future__ import annotations

from survey_core.formats.bibtex.decode import latex_decode, url_decode
from survey_core.formats.bibtex.encode import latex_escape_text, latex_escape_title
from survey_core.formats.bibtex.export import (
    MONTH_MACROS,
    arxiv_abs_url,
    bib_file_text,
    export_bibtex,
    paper_to_entry,
    safe_doi,
    safe_url,
    venue_kind,
)
from survey_core.formats.bibtex.names import name_to_bibtex, parse_authors
from survey_core.formats.bibtex.reader import parse_bibtex

__all__ = [
    "MONTH_MACROS",
    "arxiv_abs_url",
    "bib_file_text",
    "export_bibtex",
    "latex_decode",
    "latex_escape_text",
    "latex_escape_title",
    "name_to_bibtex",
    "paper_to_entry",
    "parse_authors",
    "parse_bibtex",
    "safe_doi",
    "safe_url",
    "url_decode",
    "venue_kind",
]
