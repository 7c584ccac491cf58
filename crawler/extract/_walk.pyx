# cython: language_level=3
"""The body walk of crawler.extract.body.lines_of, compiled: the same lines, spans and marked
elements, read straight off libxml2's nodes through lxml's public C API.

Why compiled: the Python walk (etree.iterwalk + per-event logic) was 2 of the ~6 ms per page, while
libxml2 visits the same nodes in microseconds; most of the cost is making a Python proxy and strings
for every node. Here proxies are made only for block and marked elements, and text is decoded only
when it is kept. Class/id names are classified on their bytes (ASCII names, nearly all of them; others
take body._classify's rules on str), with C tables remembering pairs and tokens. `body.walk_python` and
`body._classify` are the reference: tests/test_extract_walk.py checks both agree on real pages and on
every class/id pair of the fixtures, and the Python walk runs wherever this module was not built.

Two tree scans of the clean-up and attachment passes live here too (hidden_candidates, file_hrefs): C
prefilters for what an XPath over every element used to collect; tests/test_extract_speedups.py holds
them to the XPath results, and their callers fall back to the XPaths without this module.
"""
from cpython.mem cimport PyMem_Free, PyMem_Malloc, PyMem_Realloc
from cpython.object cimport PyObject
from cpython.unicode cimport PyUnicode_DATA, PyUnicode_DecodeUTF8, PyUnicode_KIND, Py_UNICODE_ISSPACE
from libc.stdint cimport uint64_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memchr, memcmp, memcpy, memset, strcmp, strlen

from lxml.includes cimport tree
from lxml.includes.etreepublic cimport _Document, _Element, elementFactory, import_lxml__etree

cdef extern from "string.h":  # (a GNU extension: Python.h defines _GNU_SOURCE)
    void* memmem(const void* haystack, size_t haystacklen, const void* needle, size_t needlelen) nogil

cdef extern from "Python.h":
    object PyUnicode_FromKindAndData(int kind, const void* buffer, Py_ssize_t size)
    object PyUnicode_DecodeASCII(const char* s, Py_ssize_t size, const char* errors)
    int PyUnicode_4BYTE_KIND
    int _list_del_slice "PyList_SetSlice"(object l, Py_ssize_t lo, Py_ssize_t hi, PyObject* v)  # v=NULL: delete

import_lxml__etree()

# tag kind bits, as in body.py
cdef enum:
    K_BLOCK = 1
    K_A = 2
    K_BR = 4
    K_FLAG = 8
    K_STRUCT = 16
    K_PRE = 32
    K_HEAD = 64
    K_HEAD6 = 128  # h1-h6 (a heading line); K_HEAD marks h1-h3, the headline candidates
    K_CONTAINER = 256  # may be the article (body.CONTAINER)


cdef inline bint _visited(tree.xmlNode* n) noexcept:
    """The node kinds lxml's iterwalk yields: elements, comments, entity references, PIs."""
    return n.type == tree.XML_ELEMENT_NODE or n.type == tree.XML_COMMENT_NODE \
        or n.type == tree.XML_ENTITY_REF_NODE or n.type == tree.XML_PI_NODE


cdef inline tree.xmlNode* _next_visited(tree.xmlNode* n) noexcept:
    while n is not NULL and not _visited(n):
        n = n.next
    return n


cdef inline bint _is_text(tree.xmlNode* n) noexcept:
    return n.type == tree.XML_TEXT_NODE or n.type == tree.XML_CDATA_SECTION_NODE


cdef object _collect_text(tree.xmlNode* n):
    """lxml's .text/.tail: the run of text nodes from `n`; None when there is none."""
    if n is NULL or not _is_text(n):
        return None
    if n.next is NULL or not _is_text(n.next):
        return _decode(n.content)
    parts = []
    while n is not NULL and _is_text(n):
        parts.append(_decode(n.content))
        n = n.next
    return "".join(parts)


cdef inline object _decode(const unsigned char* s):
    if s is NULL:
        return ""
    return PyUnicode_DecodeUTF8(<const char*>s, strlen(<const char*>s), "replace")


cdef inline bint _ascii_blank(tree.xmlNode* n) noexcept:
    """True when the text run from `n` is ASCII whitespace only (spares decoding indentation)."""
    cdef const unsigned char* s
    while n is not NULL and _is_text(n):
        s = n.content
        if s is not NULL:
            while s[0]:
                if s[0] != 32 and s[0] != 10 and s[0] != 9 and s[0] != 13 and s[0] != 12 and s[0] != 11:
                    return False
                s += 1
        n = n.next
    return True


cdef object _attr_value(tree.xmlAttr* a):
    """An attribute's value: the text of its children (libxml2's own getters are not exported)."""
    cdef tree.xmlNode* t = a.children
    if t is NULL:
        return ""
    if t.next is NULL:
        return _decode(t.content)
    parts = []
    while t is not NULL:
        parts.append(_decode(t.content))
        t = t.next
    return "".join(parts)


cdef inline bint _named(tree.xmlAttr* a, const char* name) noexcept:
    return a.ns is NULL and strcmp(<const char*>a.name, name) == 0


cdef int _single_value(tree.xmlAttr* a, const unsigned char** out) noexcept:
    """0: the attribute has no value; 1: its value is split over several nodes (Python decides);
    2: `out` points at its one text value."""
    if a.children is NULL or a.children.content is NULL and a.children.next is NULL:
        return 0
    if a.children.next is not NULL:
        return 1
    out[0] = a.children.content
    return 2


cdef inline bint _raw_value(tree.xmlAttr* a, const char** value, size_t* size) noexcept:
    """An attribute's value as libxml2 holds it, when it is one text node (or none: ""); False for a value
    split over several nodes. A missing attribute reads as "" (the walk treats both alike)."""
    cdef const unsigned char* s = NULL
    cdef int kind = _single_value(a, &s) if a is not NULL else 0
    if kind == 1:
        return False
    value[0], size[0] = "", 0
    if kind == 2:
        value[0] = <const char*>s
        size[0] = strlen(value[0])
    return True


# bytes -> small int, in C: the classification bits of a class/id pair and the kind of a class-name token,
# so a class name repeated on a page (or on the next page of the site) needs no Python string, f-string key
# or dict lookup. Open addressing over a fixed array; once `limit` keys are stored new ones are computed each
# time (the dict caches of body.py stop growing too).
cdef struct _Slot:
    char* key  # NULL: a free slot
    size_t size
    uint64_t hash
    int value


cdef inline uint64_t _fnv(const char* data, size_t size) noexcept:
    cdef uint64_t h = 14695981039346656037ULL
    cdef size_t i
    for i in range(size):
        h = (h ^ <unsigned char>data[i]) * 1099511628211ULL
    return h


cdef class _ByteTable:
    cdef _Slot* slots
    cdef size_t mask
    cdef Py_ssize_t used, limit

    def __cinit__(self, int bits, Py_ssize_t limit):
        self.slots = <_Slot*>calloc(<size_t>1 << bits, sizeof(_Slot))
        if self.slots is NULL:
            raise MemoryError()
        self.mask, self.limit = (<size_t>1 << bits) - 1, min(limit, (<Py_ssize_t>1 << bits) * 3 // 4)

    def __dealloc__(self):
        cdef size_t i
        if self.slots is not NULL:
            for i in range(self.mask + 1):
                free(self.slots[i].key)
            free(self.slots)

    cdef _Slot* _find(self, const char* key, size_t size, uint64_t h) noexcept:
        """The slot holding `key`, or the free slot where it goes (there is always one: used <= 3/4)."""
        cdef size_t i = h & self.mask
        cdef _Slot* s
        while True:
            s = &self.slots[i]
            if s.key is NULL or (s.hash == h and s.size == size and memcmp(s.key, key, size) == 0):
                return s
            i = (i + 1) & self.mask

    cdef int get(self, const char* key, size_t size) noexcept:
        """The stored value, or -1."""
        cdef _Slot* s = self._find(key, size, _fnv(key, size))
        return -1 if s.key is NULL else s.value

    cdef void put(self, const char* key, size_t size, int value) noexcept:
        cdef uint64_t h = _fnv(key, size)
        cdef _Slot* s = self._find(key, size, h)
        cdef char* copy
        if s.key is not NULL or self.used >= self.limit:
            return
        copy = <char*>malloc(size if size else 1)
        if copy is NULL:
            return
        memcpy(copy, key, size)
        s.key, s.size, s.hash, s.value = copy, size, h, value
        self.used += 1


cdef inline bint _has(const char* hay, size_t n, const char* needle) noexcept:
    return memmem(hay, n, needle, strlen(needle)) is not NULL


cdef class _Rules:
    """body's tables (tag kinds, class/id word lists, Line) and the class/id bits already found: shared by
    all walks."""
    cdef dict kinds
    cdef object new_line, ws
    cdef _Classes classes
    cdef _ByteTable pair_bits  # [flaggable byte][class bytes][0][id bytes] -> bits

    def __init__(self, rules):
        self.kinds = rules._KIND
        self.new_line, self.ws = rules.Line, rules._WS
        self.classes = _Classes(rules)
        self.pair_bits = _ByteTable(16, 40_000)

    def walk(self, _Element root):
        """(lines, spans, containers, title candidates, source candidates, excluded spans), as
        body.walk_python, and
        each line's body.line_value.
        A new walker per call: its state must not be shared between threads."""
        return _Walker(self).walk(root)


cdef struct _Open:
    tree.xmlNode* node
    int kind
    Py_ssize_t start  # len(lines) when it opened


# open blocks or exclusions: a growing C array (no Python ints or tuples per element)
cdef struct _Stack:
    _Open* items
    Py_ssize_t size, cap


cdef int _push(_Stack* st, tree.xmlNode* node, int kind, Py_ssize_t start) except -1:
    cdef _Open* grown
    if st.size == st.cap:
        grown = <_Open*>PyMem_Realloc(st.items, (st.cap * 2 + 16) * sizeof(_Open))
        if grown is NULL:
            raise MemoryError()
        st.items, st.cap = grown, st.cap * 2 + 16
    st.items[st.size] = _Open(node, kind, start)
    st.size += 1
    return 0


cdef inline void _clear(list l) noexcept:
    """l.clear() without a method call (Cython makes list.clear() one)."""
    if len(l):
        _list_del_slice(l, 0, len(l), NULL)  # cannot fail: deleting from a list


cdef inline bint _isspace(str t) noexcept:
    """t.isspace(), without a method call."""
    cdef Py_UCS4 ch
    if not len(t):
        return False
    for ch in t:
        if not Py_UNICODE_ISSPACE(ch):
            return False
    return True


cdef class _Walker:
    """The state of one walk."""
    cdef list lines, values, containers, buf, link_buf, excl_spans, titles, sources
    cdef _Stack blocks, excl  # freed in __dealloc__, also when the walk raises
    cdef dict spans
    cdef _Rules rules  # the shared tables (read through it: a typed pointer, no copy needed)
    cdef _Document doc
    cdef int link, pre
    cdef bint gap
    cdef size_t name_ptr[128]
    cdef int name_kind[128]

    def __init__(self, _Rules rules):
        self.rules = rules

    def __dealloc__(self):
        PyMem_Free(self.blocks.items)
        PyMem_Free(self.excl.items)

    cdef void flush(self) except *:
        cdef Py_ssize_t n, links
        raw = "".join(self.buf)
        _clear(self.buf)
        if self.pre:
            raw = raw.replace("\u200b", "").replace("\ufeff", "")
            ws = self.rules.ws
            text = "\n".join([ws.sub(" ", x).rstrip() for x in raw.strip("\n").split("\n")]).strip()
            if text:
                n = _tokens(text)
                if n:
                    self._line(text, n, True)
            _clear(self.link_buf)
            return
        text, n = _squash(raw)
        if n:
            self._line(text, n, False)
        _clear(self.link_buf)

    cdef void _line(self, text, Py_ssize_t n, bint pre) except *:
        cdef Py_ssize_t links = 0
        if self.link_buf:
            links = min(_tokens("".join(self.link_buf)), n)
        cdef _Open* b = &self.blocks.items[self.blocks.size - 1]
        el = elementFactory(self.doc, b.node)
        self.lines.append(self.rules.new_line(text, el, n, links, bool(b.kind & K_HEAD6), pre, False))
        self.values.append(_line_value(text, n, links))

    cdef void start(self, tree.xmlNode* c, _Document doc, int kind) except *:
        cdef _Element el = None
        if kind:
            if kind & K_BLOCK:
                if self.buf:
                    self.flush()
                _push(&self.blocks, c, kind, len(self.lines))
                if kind & K_PRE:
                    self.pre += 1
                if kind & K_HEAD:
                    el = elementFactory(doc, c)
                    self.titles.append(el)
            elif kind & K_A:
                self.link += 1
            elif kind & K_BR:
                if self.buf:
                    self.flush()
        # el.get("class"), el.get("id"), read off the attribute list: libxml2's own xmlGetNoNsProp and
        # xmlFree are not exported by lxml's statically linked build
        cdef tree.xmlAttr* a = c.properties
        cdef tree.xmlAttr* cls_attr = NULL
        cdef tree.xmlAttr* id_attr = NULL
        while a is not NULL:
            if cls_attr is NULL and _named(a, "class"):
                cls_attr = a
            elif id_attr is NULL and _named(a, "id"):
                id_attr = a
            a = a.next
        cdef int bits = 0
        cdef const char* cls
        cdef const char* ident
        cdef size_t clen, ilen, size
        cdef char flag = 1 if kind & K_FLAG else 0
        cdef char key[512]
        if cls_attr is NULL and id_attr is NULL:
            pass
        elif _raw_value(cls_attr, &cls, &clen) and _raw_value(id_attr, &ident, &ilen):
            if clen or ilen:  # (an empty value classifies as nothing, like a missing one)
                size = clen + ilen + 2
                bits = -1
                if size <= sizeof(key):  # (longer pairs are classified each time)
                    key[0] = flag
                    memcpy(key + 1, cls, clen)
                    key[1 + clen] = 0
                    memcpy(key + 2 + clen, ident, ilen)
                    bits = self.rules.pair_bits.get(key, size)
                if bits < 0:
                    bits = self.rules.classes.classify_raw(cls, clen, ident, ilen, flag)
                    if size <= sizeof(key):
                        self.rules.pair_bits.put(key, size, bits)
        else:  # a value split over several nodes (entity references): classified on its str
            bits = self.rules.classes.classify(_attr_value(cls_attr) if cls_attr is not NULL else "",
                                               _attr_value(id_attr) if id_attr is not NULL else "", flag)
        if bits:
            if bits & 2 and not kind & K_HEAD:
                self.titles.append(el if el is not None else elementFactory(doc, c))
            if bits & 4:
                self.sources.append(el if el is not None else elementFactory(doc, c))
        # excluded: nav/footer/aside/header, or a flaggable block with an unlikely class/id
        if kind & K_STRUCT or (bits & 1 and kind & K_FLAG):
            if self.buf:
                self.flush()
            _push(&self.excl, c, 0, len(self.lines))
        if c.children is NULL or not _is_text(c.children):
            return
        if not self.buf and _ascii_blank(c.children):
            return
        t = _collect_text(c.children)
        cdef Py_UCS4 prev, first
        if t and (self.buf or not _isspace(t)):
            if self.gap:
                prev = (<str>self.buf[-1])[-1] if self.buf and self.buf[-1] else u" "
                first = (<str>t)[0]
                if not Py_UNICODE_ISSPACE(prev) and not Py_UNICODE_ISSPACE(first) and not (prev >= 0x3400 and first >= 0x3400):
                    self.buf.append(" ")
                self.gap = False
            self.buf.append(t)
            if self.link:
                self.link_buf.append(t)

    cdef void end(self, tree.xmlNode* c, int kind) except *:
        cdef Py_ssize_t s
        if kind:
            if kind & K_BLOCK:
                if self.buf:
                    self.flush()
                self.blocks.size -= 1
                s = self.blocks.items[self.blocks.size].start
                if len(self.lines) > s:  # blocks without lines have no span (and need no proxy)
                    el = elementFactory(self.doc, c)
                    self.spans[el] = (s, len(self.lines))
                    if kind & K_CONTAINER:
                        self.containers.append((el, s, len(self.lines)))
                if kind & K_PRE:
                    self.pre -= 1
            elif kind & K_A:
                self.link -= 1
        if self.excl.size and self.excl.items[self.excl.size - 1].node == c:
            if self.buf:
                self.flush()
            self.excl.size -= 1
            self.excl_spans.append((self.excl.items[self.excl.size].start, len(self.lines)))
        self.tail(c, kind)

    cdef void tail(self, tree.xmlNode* c, int kind) except *:
        nxt = c.next
        if nxt is NULL or not _is_text(nxt) or (not self.buf and _ascii_blank(nxt)):
            # no tail, or whitespace that would not be kept: only whether a tail exists matters
            if nxt is not NULL and _is_text(nxt) and _has_text(nxt):
                self.gap = False
            else:
                self.gap = not kind & K_BLOCK
            return
        t = _collect_text(nxt)
        if t:
            self.gap = False
            if self.buf or not _isspace(t):
                self.buf.append(t)
                if self.link:
                    self.link_buf.append(t)
        else:
            self.gap = not kind & K_BLOCK

    cdef void other_end(self, tree.xmlNode* c) except *:
        """A comment, PI or entity reference: only its tail counts (kept whatever it holds)."""
        t = _collect_text(c.next)
        if t:
            self.buf.append(t)

    def walk(self, _Element root):
        cdef tree.xmlNode* top = root._c_node
        cdef tree.xmlNode* c = top
        cdef tree.xmlNode* nxt
        cdef _Document doc = root._doc
        self.lines, self.values, self.containers, self.buf, self.link_buf = [], [], [], [], []
        memset(self.name_ptr, 0, sizeof(self.name_ptr))
        self.doc = doc
        self.blocks.size = self.excl.size = 0
        _push(&self.blocks, top, self._kind(top), -1)  # the root's own lines: no span
        self.excl_spans, self.titles, self.sources = [], [], []
        self.spans = {}
        self.link = self.pre = 0
        self.gap = False
        self._enter(c, doc)
        while True:
            nxt = _next_visited(c.children) if c.type == tree.XML_ELEMENT_NODE else NULL
            if nxt is not NULL:
                c = nxt
                self._enter(c, doc)
                continue
            while True:  # leave `c`, then go to its next sibling or leave its parent
                self._leave(c)
                if c == top:
                    if self.buf:
                        self.flush()
                    return self.lines, self.spans, self.containers, self.titles, self.sources, self.excl_spans, self.values
                nxt = _next_visited(c.next)
                if nxt is not NULL:
                    c = nxt
                    self._enter(c, doc)
                    break
                c = c.parent

    cdef void _enter(self, tree.xmlNode* c, _Document doc) except *:
        if c.type == tree.XML_ELEMENT_NODE:
            self.start(c, doc, self._kind(c))

    cdef void _leave(self, tree.xmlNode* c) except *:
        if c.type == tree.XML_ELEMENT_NODE:
            self.end(c, self._kind(c))
        else:
            self.other_end(c)

    cdef int _kind(self, tree.xmlNode* c) except -1:
        # libxml2 interns tag names per document: a small cache keyed by the name's address spares
        # decoding it at every start and end (cleared per walk: a later document may reuse addresses)
        cdef size_t slot = (<size_t>c.name >> 4) & 127
        if self.name_ptr[slot] == <size_t>c.name:
            return self.name_kind[slot]
        k = self.rules.kinds.get(_decode(c.name))
        self.name_ptr[slot] = <size_t>c.name
        self.name_kind[slot] = 0 if k is None else k
        return self.name_kind[slot]


cdef inline bint _has_text(tree.xmlNode* n) noexcept:
    """A text run with at least one character (lxml returns '' for empty text nodes: falsy)."""
    while n is not NULL and _is_text(n):
        if n.content is not NULL and n.content[0]:
            return True
        n = n.next
    return False


cdef double _line_value(str text, Py_ssize_t n, Py_ssize_t links):
    """body.line_value of a new line (not excluded yet)."""
    cdef Py_ssize_t own = n - links
    if links * 2 > n:
        return -n - 2
    if own >= 10 and _has_sentence_punct(text):
        return own - (0.5 if own >= 20 or n >= 30 else 2) * links
    if own >= 25:
        return own * 0.5
    return -1.0


cdef bint _has_sentence_punct(str text):
    """body._SENT_PUNCT.search(text): ，。！？；,.!?;” or a straight quote."""
    cdef Py_UCS4 ch
    for ch in text:
        if ch == 0xff0c or ch == 0x3002 or ch == 0xff01 or ch == 0xff1f or ch == 0xff1b or ch == 44 or ch == 46 \
                or ch == 33 or ch == 63 or ch == 59 or ch == 0x201d or ch == 34:
            return True
    return False


cdef tuple _squash(str raw):
    """(text, tokens) as the Python walk computes them, in one pass: whitespace runs become one space,
    zero-width spaces and BOMs go, and tokens = non-ASCII characters + ASCII words (ASCII letters on
    both sides of a non-ASCII character are one word, as in body._tokens)."""
    cdef Py_ssize_t size = len(raw), i, m = 0, n = 0
    cdef Py_UCS4 ch
    cdef bint space = False, word = False
    cdef Py_UCS4* out = <Py_UCS4*>PyMem_Malloc((size + 1) * sizeof(Py_UCS4))
    if out is NULL:
        raise MemoryError()
    try:
        for i in range(size):
            ch = raw[i]
            if Py_UNICODE_ISSPACE(ch):
                space = m > 0
                word = False
                continue
            if ch == 0x200b or ch == 0xfeff:
                continue
            if space:
                out[m] = 32
                m += 1
                space = False
            out[m] = ch
            m += 1
            if ch >= 128:
                n += 1
            elif not word:
                n += 1
                word = True
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, out, m), n
    finally:
        PyMem_Free(out)


cdef Py_ssize_t _tokens(str text) except -1:
    """body._tokens in one pass: for ASCII text the words of str.split(); else the non-ASCII characters
    plus the words of the ASCII characters alone, split as bytes.split() does (its whitespace is
    " \\t\\n\\r\\v\\f", not str's)."""
    cdef Py_ssize_t nonascii = 0, str_words = 0, byte_words = 0
    cdef bint in_str_word = False, in_byte_word = False
    cdef Py_UCS4 ch
    for ch in text:
        if Py_UNICODE_ISSPACE(ch):
            in_str_word = False
        elif not in_str_word:
            in_str_word = True
            str_words += 1
        if ch >= 128:
            nonascii += 1
        elif ch == 32 or 9 <= ch <= 13:
            in_byte_word = False
        elif not in_byte_word:
            in_byte_word = True
            byte_words += 1
    return str_words if nonascii == 0 else nonascii + byte_words


cdef class _Affixes:
    """startswith(affixes) / endswith(affixes) of a class-name token: the affixes grouped by their first and
    by their last character, so a token is compared with the few that can match (a new site brings dozens of
    unseen tokens; slicing each once per affix length and looking the slices up cost more)."""
    cdef dict by_first, by_last

    def __init__(self, tuple affixes):
        self.by_first, self.by_last = {}, {}
        for a in affixes:
            self.by_first[a[0]] = self.by_first.get(a[0], ()) + (a,)
            self.by_last[a[-1]] = self.by_last.get(a[-1], ()) + (a,)

    cdef bint any_of(self, str tok):
        starts = self.by_first.get(tok[0])
        if starts is not None and tok.startswith(starts):
            return True
        ends = self.by_last.get(tok[-1])
        return ends is not None and tok.endswith(ends)


cdef inline bint _holds_any(str text, tuple keys):
    for k in keys:
        if k in text:
            return True
    return False


cdef class _Classes:
    """body._classify / _part_kind / _token_kind compiled, on body's own word lists and caches (a cold
    cache made classifying a new site's class names a fifth of the page's time), and their byte versions
    for ASCII names (classify_ascii: no Python string per name, part or known token)."""
    cdef frozenset unlikely_words, likely_words
    cdef tuple unlikely_sub, likely_sub, source_sub
    cdef object unlikely_part_rx, title_rx, title_rx_ascii
    cdef tuple unlikely_part_keys
    cdef _Affixes unlikely_affixes, likely_affixes
    cdef dict token_cache, part_cache
    cdef _ByteTable token_kinds  # [a-z]+ token bytes -> kind
    cdef list source_sub_b  # the same words as bytes, for memmem

    def __init__(self, rules):
        self.unlikely_words, self.likely_words = rules._UNLIKELY_WORDS, rules._LIKELY_WORDS
        self.unlikely_sub, self.likely_sub, self.source_sub = rules._UNLIKELY_SUB, rules._LIKELY_SUB, rules._SOURCE_SUB
        self.unlikely_part_rx, self.title_rx, self.title_rx_ascii = rules._UNLIKELY_PART_RX, rules._TITLE_CLASS, rules._TITLE_CLASS_ASCII
        self.unlikely_part_keys = rules._UNLIKELY_PART_KEYS
        self.unlikely_affixes, self.likely_affixes = _Affixes(self.unlikely_sub), _Affixes(self.likely_sub)
        self.token_cache, self.part_cache = rules._TOKEN_CACHE, rules._PART_CACHE
        self.token_kinds = _ByteTable(15, 20_000)
        self.source_sub_b = [k.encode() for k in self.source_sub]

    cdef int token_kind(self, str tok) except -1:
        cdef int k = 0
        found = self.token_cache.get(tok)
        if found is not None:
            return found
        if tok in self.unlikely_words:
            k = 1
        elif self.unlikely_affixes.any_of(tok):
            k |= 1
        if k == 0 or tok not in self.unlikely_words:
            if tok in self.likely_words or self.likely_affixes.any_of(tok):
                k |= 2
        if len(self.token_cache) < 100_000:
            self.token_cache[tok] = k
        return k

    cdef int part_kind(self, str part) except -1:
        """The OR of the kinds of the [a-z]+ runs of a lower-cased class name: what body._part_kind's
        split on '-', '_' and non-letters yields."""
        cdef int k = 0
        cdef Py_ssize_t i = 0, j, size = len(part)
        cdef Py_UCS4 ch
        if ("-" in part or "_" in part or "author" in part) and _holds_any(part, self.unlikely_part_keys):
            if self.unlikely_part_rx.search(part) is not None:
                if len(self.part_cache) < 100_000:
                    self.part_cache[part] = 5
                return 5
        while i < size:
            ch = part[i]
            if 97 <= ch <= 122:
                j = i + 1
                while j < size and 97 <= <Py_UCS4>part[j] <= 122:
                    j += 1
                k |= self.token_kind(part[i:j])
                i = j
            else:
                i += 1
        if len(self.part_cache) < 100_000:
            self.part_cache[part] = k
        return k

    cdef int classify(self, str cls, str ident, int flaggable) except -1:
        cdef int bits = 0, kinds = 0
        low = f"{cls} {ident}".lower()
        if flaggable:
            for part in low.split():
                found = self.part_cache.get(part)
                kinds |= <int>found if found is not None else self.part_kind(part)
            if kinds == 1 or kinds & 4:
                bits = 1
        if ("tit" in low or "headline" in low) and ("tit" in cls or "Tit" in cls or "headline" in cls or "tit" in ident) \
                and (self.title_rx_ascii if low.isascii() else self.title_rx).search(low) is not None:
            bits |= 2
        if ident == "js_name" or (("source" in low or "account" in low or "author-name" in low or "media-name" in low
                                   or "profile_nickname" in low)
                                  and (any([k in cls for k in self.source_sub]) or "source" in ident)):
            bits |= 4
        return bits


    cdef int classify_raw(self, const char* cls, size_t clen, const char* ident, size_t ilen, int flaggable) except -1:
        """classify() of attribute values as libxml2 holds them (UTF-8)."""
        cdef int bits = self.classify_ascii(cls, clen, ident, ilen, flaggable)
        if bits >= 0:
            return bits
        return self.classify(PyUnicode_DecodeUTF8(cls, clen, "replace"), PyUnicode_DecodeUTF8(ident, ilen, "replace"),
                             flaggable)

    cdef int classify_ascii(self, const char* cls, size_t clen, const char* ident, size_t ilen,
                            int flaggable) except -2:
        """classify() on ASCII bytes, no Python string unless a regex must decide; -1 for non-ASCII values
        (str.lower() and str.split() differ from their ASCII versions there)."""
        cdef size_t n = clen + 1 + ilen, i, start
        cdef char small[256]
        cdef char* low = &small[0]
        if n > sizeof(small):
            low = <char*>malloc(n)
        cdef unsigned char ch
        cdef int bits = 0, kinds = 0
        if low is NULL:
            raise MemoryError()
        try:
            for i in range(n):  # low = f"{cls} {ident}".lower()
                ch = <unsigned char>(cls[i] if i < clen else (32 if i == clen else ident[i - clen - 1]))
                if ch >= 128:
                    return -1
                low[i] = <char>(ch + 32 if 65 <= ch <= 90 else ch)
            if flaggable:
                i = 0
                while i < n:  # the parts of low.split(): ASCII whitespace is \t-\r, \x1c-\x1f and space
                    while i < n and _split_space(low[i]):
                        i += 1
                    start = i
                    while i < n and not _split_space(low[i]):
                        i += 1
                    if i > start:
                        kinds |= self.part_kind_ascii(low + start, i - start)
                if kinds == 1 or kinds & 4:
                    bits = 1
            words = _label_words(low, n)
            if words & _TITLE_WORD \
                    and (_has(cls, clen, "tit") or _has(cls, clen, "Tit") or _has(cls, clen, "headline") or _has(ident, ilen, "tit")) \
                    and self.title_rx_ascii.search(PyUnicode_DecodeASCII(low, n, NULL)) is not None:
                bits |= 2
            if (ilen == 7 and memcmp(ident, b"js_name", 7) == 0) or (
                    words & _SOURCE_WORD
                    and (any([_has(cls, clen, k) for k in self.source_sub_b]) or _has(ident, ilen, "source"))):
                bits |= 4
            return bits
        finally:
            if low != &small[0]:
                free(low)

    cdef int part_kind_ascii(self, const char* part, size_t size) except -1:
        """part_kind() of a lower-cased ASCII class name. Its keys of _UNLIKELY_PART are letter runs, so one
        occurs inside one [a-z]+ token: the token table remembers which tokens hold one (_HOLDS_KEY)."""
        cdef int k = 0
        cdef size_t i = 0, j
        while i < size:
            if 97 <= part[i] <= 122:
                j = i + 1
                while j < size and 97 <= part[j] <= 122:
                    j += 1
                k |= self.token_kind_ascii(part + i, j - i)
                i = j
            else:
                i += 1
        if k & _HOLDS_KEY and (memchr(part, 45, size) is not NULL or memchr(part, 95, size) is not NULL
                               or _has(part, size, "author")) \
                and self.unlikely_part_rx.search(PyUnicode_DecodeASCII(part, size, NULL)) is not None:
            return 5
        return k & 3

    cdef int token_kind_ascii(self, const char* tok, size_t size) except -1:
        """token_kind(), | _HOLDS_KEY when an _UNLIKELY_PART key is in the token."""
        cdef int k = self.token_kinds.get(tok, size)
        if k < 0:
            text = PyUnicode_DecodeASCII(tok, size, NULL)
            k = self.token_kind(text) | (_HOLDS_KEY if _holds_any(text, self.unlikely_part_keys) else 0)
            self.token_kinds.put(tok, size, k)
        return k


cdef enum:
    _HOLDS_KEY = 8
    _TITLE_WORD = 1  # "tit" or "headline" in the lower-cased pair
    _SOURCE_WORD = 2  # "source", "account", "author-name", "media-name" or "profile_nickname" in it


cdef inline bint _at(const char* low, size_t n, size_t i, const char* word, size_t size) noexcept:
    return i + size <= n and memcmp(low + i, word, size) == 0


cdef int _label_words(const char* low, size_t n) noexcept:
    """Which of classify()'s label words the lower-cased pair holds: one pass, a comparison only where a
    word's first letter stands (seven memmem calls cost more on these short strings)."""
    cdef int found = 0
    cdef size_t i
    cdef char c
    for i in range(n):
        c = low[i]
        if (c == b't' and _at(low, n, i, b"tit", 3)) or (c == b'h' and _at(low, n, i, b"headline", 8)):
            found |= _TITLE_WORD
        elif (c == b's' and _at(low, n, i, b"source", 6)) or (c == b'm' and _at(low, n, i, b"media-name", 10)) \
                or (c == b'a' and (_at(low, n, i, b"account", 7) or _at(low, n, i, b"author-name", 11))) \
                or (c == b'p' and _at(low, n, i, b"profile_nickname", 16)):
            found |= _SOURCE_WORD
    return found


cdef inline bint _split_space(char ch) noexcept:
    return ch == 32 or 9 <= ch <= 13 or 28 <= ch <= 31


def walker(rules):
    """A walker on body's tables (tag kinds, class/id word lists, caches, Line): `rules` is the module."""
    return _Rules(rules)


def classify(rules, cls, ident, flaggable):
    """The compiled class/id classification as the walk runs it, on the UTF-8 bytes (for the test that holds
    it equal to body._classify)."""
    c, i = cls.encode("utf-8", "surrogatepass"), ident.encode("utf-8", "surrogatepass")
    return _Classes(rules).classify_raw(c, len(c), i, len(i), flaggable)


# Standalone element searches that replace XPath queries: libxml2's XPath engine builds node sets and
# sorts them into document order (~90 µs on a news page); a pre-order walk over the element nodes
# yields document order by construction and costs a few µs.

cdef inline tree.xmlNode* _first_element(tree.xmlNode* n) noexcept:
    while n is not NULL and n.type != tree.XML_ELEMENT_NODE:
        n = n.next
    return n


cdef inline tree.xmlNode* _next_element(tree.xmlNode* c, tree.xmlNode* top) noexcept:
    """The element after `c` in document order within `top`'s subtree (NULL at the end)."""
    cdef tree.xmlNode* n = _first_element(c.children)
    if n is not NULL:
        return n
    while c != top:
        n = _first_element(c.next)
        if n is not NULL:
            return n
        c = c.parent
    return NULL


cdef inline bint _ascii_word_at(const unsigned char* s, const char* word, size_t size) noexcept:
    """Whether `s` starts with the lower-case ASCII `word`, in any case. It reads no further than the first
    byte that differs, so a NUL-terminated `s` shorter than the word is safe."""
    cdef size_t i
    for i in range(size):
        if (s[i] | 32) != <unsigned char>word[i]:  # (| 32: ASCII lower case; no other byte becomes a letter)
            return False
    return True


cdef bint _maybe_hiding(tree.xmlAttr* a) noexcept:
    """Whether a style value may hide its element: ASCII "none" or "hidden" in any case, or any non-ASCII
    byte or split value (then Python decides). A superset of clean.drop_hidden's `"none"/"hidden" in
    style.lower()` test: on ASCII text lower() is the ASCII lower-casing."""
    cdef const unsigned char* s
    cdef int kind = _single_value(a, &s)
    if kind != 2:
        return kind == 1
    while s[0]:
        if s[0] >= 128 or _ascii_word_at(s, b"none", 4) or _ascii_word_at(s, b"hidden", 6):
            return True
        s += 1
    return False


def hidden_candidates(_Element root):
    """`root` and its descendant elements that may be hidden, in document order: those with a
    (namespace-less) hidden attribute or whose first style attribute passes _maybe_hiding. A subsequence
    of clean._STYLED's XPath `(descendant-or-self::*/@style | descendant-or-self::*/@hidden)/..` holding
    every element drop_hidden's own test accepts (it runs on these as on the XPath's)."""
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* c = top
    cdef tree.xmlAttr* a
    cdef bint style_seen
    cdef _Document doc = root._doc
    out = []
    while c is not NULL:
        a = c.properties
        style_seen = False
        while a is not NULL:
            if _named(a, "hidden") or (not style_seen and _named(a, "style") and _maybe_hiding(a)):
                out.append(elementFactory(doc, c))
                break
            if _named(a, "style"):
                style_seen = True
            a = a.next
        c = _next_element(c, top)
    return out


cdef const char* _FILE_EXTS[11]
_FILE_EXTS[:] = [b"pdf", b"doc", b"xls", b"ofd", b"wps", b"et", b"ppt", b"zip", b"rar", b"7z", b"csv"]


cdef bint _may_name_file(tree.xmlAttr* a) noexcept:
    """Whether an href value holds "." and one of govmeta._ATTACH_ANY's extensions (ASCII, any case), or any
    non-ASCII byte or a split value (re.I also matches e.g. "ſ" for "s": Python decides those)."""
    cdef const unsigned char* s
    cdef const char* ext
    cdef int k, i
    cdef int kind = _single_value(a, &s)
    if kind != 2:
        return kind == 1
    while s[0]:
        if s[0] >= 128:
            return True
        if s[0] == 46:  # "."
            for k in range(11):
                ext = _FILE_EXTS[k]
                i = 0
                while ext[i] and s[1 + i] and (s[1 + i] | 32) == <unsigned char>ext[i]:
                    i += 1
                if not ext[i]:
                    return True
        s += 1
    return False


def file_hrefs(_Element root):
    """The href values of the <a> elements below `root` that may name a file, in document order: those of
    the XPath `.//a/@href` (smart_strings=False) that _may_name_file. govmeta.attachments searches their
    join with _ATTACH_ANY: a match lies within one href and its line end, so the others cannot hold one."""
    cdef tree.xmlNode* top = root._c_node
    cdef tree.xmlNode* c = _next_element(top, top)  # descendants only: `.//a` excludes `root`
    cdef tree.xmlAttr* a
    out = []
    while c is not NULL:
        if c.ns is NULL and strcmp(<const char*>c.name, "a") == 0:
            a = c.properties
            while a is not NULL:
                if _named(a, "href") and _may_name_file(a):
                    out.append(_attr_value(a))
                a = a.next
        c = _next_element(c, top)
    return out


cdef class ToneGate:
    """clean._PINYIN_GATE ("(" + up to six [a-zü] + a tone-marked vowel) on the page's UTF-8 bytes: memchr
    for the tone vowels' lead bytes, rare on Chinese and English pages, then a look back for the "(". The
    regex steps through every "(" of the page's scripts instead (about 2% of a page's time)."""
    cdef list tones  # the tone vowels' UTF-8 bytes
    cdef bytes leads

    def __init__(self, str tones):
        self.tones = [t.encode() for t in tones]
        self.leads = bytes(sorted({t[0] for t in self.tones}))

    def __call__(self, bytes raw):
        cdef const unsigned char* data = raw
        cdef size_t n = len(raw), at
        cdef const unsigned char* hit
        cdef unsigned char lead
        for lead in self.leads:
            at = 0
            while at < n:
                hit = <const unsigned char*>memchr(data + at, lead, n - at)
                if hit is NULL:
                    break
                at = hit - data
                for t in self.tones:
                    if raw.startswith(t, at) and _paren_before(data, at):
                        return True
                at += 1
        return False


cdef bint _paren_before(const unsigned char* data, size_t at) noexcept:
    """Whether "(" and at most six [a-zü] come right before `at`."""
    cdef int letters
    for letters in range(7):
        if at == 0:
            return False
        if data[at - 1] == 40:  # "("
            return True
        if letters == 6:
            return False
        if 97 <= data[at - 1] <= 122:
            at -= 1
        elif data[at - 1] == 0xBC and at >= 2 and data[at - 2] == 0xC3:  # ü
            at -= 2
        else:
            return False
    return False


def first_end_tag(bytes data):
    """(start, end) of the first </body> or </html> (any case, ASCII whitespace before the '>') in the page's
    UTF-8 bytes, or None: memchr from '<' to '<' (a third of the time of the regex scan it replaces)."""
    cdef const unsigned char* d = data
    cdef size_t n = len(data), i = 0, j
    cdef const unsigned char* hit
    while i < n:
        hit = <const unsigned char*>memchr(d + i, 60, n - i)  # '<'
        if hit is NULL:
            return None
        i = hit - d
        if i + 6 < n and d[i + 1] == 47 and (_ascii_word_at(d + i + 2, b"body", 4) or _ascii_word_at(d + i + 2, b"html", 4)):
            j = i + 6  # after "</body" or "</html"
            while j < n and (d[j] == 32 or 9 <= d[j] <= 13):
                j += 1
            if j < n and d[j] == 62:  # '>'
                return i, j + 1
        i += 1
    return None


ctypedef unsigned char uchar
ctypedef unsigned short ushort
ctypedef unsigned int uint

ctypedef fused _uchar:
    uchar
    ushort
    uint


cdef struct _Keys:
    int count
    size_t size[16]
    unsigned char text[16][32]
    unsigned char first[128]  # the ASCII characters a key starts with, in either case
    unsigned char second[128]  # the second characters (all 1 when some key has only one)
    bint blocks  # the block prefilter holds: 1-8 keys, each opening with three ASCII letters
    unsigned int head[8][3]  # the keys' first three letters (lower case; unused rows repeat the first)


cdef inline unsigned int _ascii_lower(unsigned int ch) noexcept:
    return ch + 32 if 65 <= ch <= 90 else ch


cdef inline bint _key_at(const _uchar* d, Py_ssize_t n, Py_ssize_t i, const _Keys* keys) noexcept:
    cdef unsigned int c = _ascii_lower(d[i])
    cdef size_t j, m
    cdef int k
    for k in range(keys.count):
        m = keys.size[k]
        if keys.text[k][0] != c or <size_t>(n - i) < m:
            continue
        j = 1
        while j < m and d[i + j] < 128 and _ascii_lower(d[i + j]) == keys.text[k][j]:
            j += 1
        if j == m:
            return True
    return False


cdef inline bint _is_fold(unsigned int ch) noexcept:
    return ch == 0x130 or ch == 0x131 or ch == 0x17f or ch == 0x212a  # scan.FOLDS_TO_ASCII


cdef int _scan_span(const _uchar* d, Py_ssize_t n, Py_ssize_t start, Py_ssize_t end, const _Keys* keys,
                    list out) except -1:
    """The key places in [start, end) appended to `out`; 1 when a fold is there (the plain scan), else 0."""
    cdef Py_ssize_t i
    cdef unsigned int ch
    for i in range(start, end):
        ch = d[i]
        if ch >= 128:  # in no key (nor is its '?' in scan.py's folded bytes)
            if _is_fold(ch):
                return 1
        elif keys.first[ch] and (i + 1 == n or d[i + 1] >= 128 or keys.second[d[i + 1]]) and _key_at(d, n, i, keys):
            out.append(i)
    return 0


cdef extern from *:
    """
    /* Whether a key may start in d[0:32] (its first three letters there, any case: x | 32 is a lower-case
       letter exactly for that letter's two cases) or a character of scan.FOLDS_TO_ASCII is there. Branch-free
       over the block, in the text's own character width, the key letters in locals: the compiler vectorises
       it (0.24 -> 0.12 ms over a 147k-character page), and in most blocks no key starts. */
    #define HW_BLOCK_MAY_HOLD(NAME, T)                                                              \
    static int NAME(const T* d, const unsigned int* h) {                                            \
        const T a0 = h[0], b0 = h[1], c0 = h[2], a1 = h[3], b1 = h[4], c1 = h[5], a2 = h[6],       \
            b2 = h[7], c2 = h[8], a3 = h[9], b3 = h[10], c3 = h[11], a4 = h[12], b4 = h[13],       \
            c4 = h[14], a5 = h[15], b5 = h[16], c5 = h[17], a6 = h[18], b6 = h[19], c6 = h[20],    \
            a7 = h[21], b7 = h[22], c7 = h[23];                                                     \
        T acc = 0;                                                                                  \
        for (int j = 0; j < 32; j++) {                                                              \
            const T x = d[j], w = x | 32, y = d[j + 1] | 32, z = d[j + 2] | 32;                    \
            acc |= (T)(sizeof(T) > 1 && (x == (T)0x130 || x == (T)0x131 || x == (T)0x17f           \
                                         || x == (T)0x212a));  /* (no fold in a Latin-1 text) */    \
            acc |= (T)(((w == a0) & (y == b0) & (z == c0)) | ((w == a1) & (y == b1) & (z == c1))   \
                 | ((w == a2) & (y == b2) & (z == c2)) | ((w == a3) & (y == b3) & (z == c3))       \
                 | ((w == a4) & (y == b4) & (z == c4)) | ((w == a5) & (y == b5) & (z == c5))       \
                 | ((w == a6) & (y == b6) & (z == c6)) | ((w == a7) & (y == b7) & (z == c7)));     \
        }                                                                                           \
        return acc != 0;                                                                            \
    }
    HW_BLOCK_MAY_HOLD(hw_block_may_hold_1, unsigned char)
    HW_BLOCK_MAY_HOLD(hw_block_may_hold_2, unsigned short)
    HW_BLOCK_MAY_HOLD(hw_block_may_hold_4, unsigned int)
    """
    bint hw_block_may_hold_1(const unsigned char* d, const unsigned int* h) noexcept
    bint hw_block_may_hold_2(const unsigned short* d, const unsigned int* h) noexcept
    bint hw_block_may_hold_4(const unsigned int* d, const unsigned int* h) noexcept


cdef inline bint _block_may_hold(const _uchar* d, const _Keys* keys) noexcept:
    if _uchar is uchar:
        return hw_block_may_hold_1(d, &keys.head[0][0])
    elif _uchar is ushort:
        return hw_block_may_hold_2(d, &keys.head[0][0])
    else:
        return hw_block_may_hold_4(d, &keys.head[0][0])


cdef object _starts_in(const _uchar* d, Py_ssize_t n, const _Keys* keys):
    cdef Py_ssize_t at = 0
    out = []
    if keys.blocks:
        while at + 34 <= n:  # (a block reads two characters past its end)
            if _block_may_hold(d + at, keys) and _scan_span(d, n, at, at + 32, keys, out):
                return None
            at += 32
    return None if _scan_span(d, n, at, n, keys, out) else out


def key_starts(str text, tuple keys):
    """scan.key_starts_python in one pass over the text's own code points (no folded copy, one scan for
    all keys instead of a bytes.find run per key): the sorted places where a key (1-32 lower-case ASCII
    characters but '?', at most 16 keys) starts, its letters in any case; None when the text holds a
    character of scan.FOLDS_TO_ASCII."""
    cdef _Keys table
    cdef int r
    memset(&table, 0, sizeof(table))
    if len(keys) > 16:
        raise ValueError("key_starts: more than 16 keys")
    table.blocks = 1 <= len(keys) <= 8
    for key in keys:
        k = key.encode("ascii")
        if not 1 <= len(k) <= 32 or b"?" in k or k.lower() != k:
            raise ValueError(f"key_starts: not a key: {key!r}")
        memcpy(table.text[table.count], <const char*>k, len(k))
        table.size[table.count] = len(k)
        if len(k) < 3 or not k[:3].isalpha():
            table.blocks = False
        elif table.count < 8:
            table.head[table.count][0], table.head[table.count][1], table.head[table.count][2] = k[0], k[1], k[2]
        table.count += 1
        for c in (k[0], k.upper()[0]):
            table.first[c] = 1
        if len(k) == 1:
            memset(table.second, 1, sizeof(table.second))
        else:
            for c in (k[1], k.upper()[1]):
                table.second[c] = 1
    for r in range(table.count, 8):
        table.head[r] = table.head[0]
    cdef Py_ssize_t n = len(text)
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    if kind == 1:
        return _starts_in(<const unsigned char*>data, n, &table)
    if kind == 2:
        return _starts_in(<const unsigned short*>data, n, &table)
    return _starts_in(<const unsigned int*>data, n, &table)


def apply_exclusions(list lines, list values, list excl_spans):
    """body._apply_exclusions in C: the same prefix sums and the same span tests, in the same order, on
    doubles (the values are halves: exact sums), without a Python list per nested span."""
    if not excl_spans:
        return
    cdef Py_ssize_t n = len(values), i, s, e
    cdef double v, seg, limit
    cdef double* cum = <double*>PyMem_Malloc((n + 1) * sizeof(double))
    cdef unsigned char* marked = <unsigned char*>calloc(n + 1, 1)
    if cum is NULL or marked is NULL:
        PyMem_Free(cum)
        free(marked)
        raise MemoryError()
    zero = 0.0
    try:
        cum[0] = 0.0
        for i in range(n):
            v = values[i]
            cum[i + 1] = cum[i] + (v if v > 0 else 0.0)
        limit = 0.6 * (cum[n] if cum[n] else 1.0)
        for span in excl_spans:
            s, e = span
            if not 0 <= s <= e <= n:
                raise IndexError(f"apply_exclusions: span {span} of {n} lines")
            if not cum[e] - cum[s] < limit:
                continue
            seg = 0.0
            for i in range(s, e):
                seg += <double>values[i]
            for i in range(s, e):  # prose is worth 0; a block of no prose keeps its negative worth
                if seg > 0 or <double>values[i] > 0:
                    values[i] = zero
            memset(marked + s, 1, e - s)
        for i in range(n):
            if marked[i]:
                lines[i].excluded = True
    finally:
        PyMem_Free(cum)
        free(marked)


cdef extern from *:
    """
    /* A byte of page._CONTROL_BYTES (a C0 control but tab, line feed and carriage return, or DEL) in d[0:n]:
       branch-free over blocks of 64 bytes, which the compiler vectorises. */
    static int hw_has_control(const unsigned char* d, size_t n) {
        size_t i = 0;
        for (; i + 64 <= n; i += 64) {
            unsigned char acc = 0;
            for (int j = 0; j < 64; j++) {
                const unsigned char b = d[i + j];
                acc |= (unsigned char)(((b < 32) & (b != 9) & (b != 10) & (b != 13)) | (b == 127));
            }
            if (acc)
                return 1;
        }
        for (; i < n; i++) {
            const unsigned char b = d[i];
            if ((b < 32 && b != 9 && b != 10 && b != 13) || b == 127)
                return 1;
        }
        return 0;
    }
    """
    bint hw_has_control(const unsigned char* d, size_t n) noexcept


def has_control_bytes(data):
    """Whether the page's bytes (any contiguous buffer) hold an anti-copy control character
    (page._CONTROL_BYTES): one vectorised pass instead of a memchr run per byte value (29 of them)."""
    cdef const unsigned char[::1] view = data
    return hw_has_control(&view[0], view.shape[0]) if view.shape[0] else False
