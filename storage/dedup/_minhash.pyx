# cython: language_level=3, boundscheck=False, wraparound=False
"""The two loops of storage.dedup.minhash that numpy does slowly, compiled: the MinHash signature
(numpy builds a shingles x 128 matrix, 3 temporaries of ~1.5 MB for a long article, to take one
minimum per column; here each value lives in a register) and the word hashes of a Latin-script text
(re.findall makes a str per word and zlib.crc32 is called per word: 0.5 ms for an 11,000-character
article). minhash.py's numpy and re versions are the reference and run wherever this module was not
built; tests/test_dedup.py holds both to the same output on real pages."""
from cpython.unicode cimport Py_UNICODE_ISALNUM
from libc.stdint cimport uint32_t

import numpy as np

cdef uint32_t CRC_TABLE[256]
cdef uint32_t MIX1 = 0x85EBCA6B, MIX2 = 0xC2B2AE35  # MurmurHash3's finalizer


cdef void _crc_table():
    """zlib's CRC-32 (reflected polynomial 0xEDB88320), one byte at a time."""
    cdef uint32_t c
    cdef int n, k
    for n in range(256):
        c = n
        for k in range(8):
            c = (0xEDB88320 ^ (c >> 1)) if c & 1 else (c >> 1)
        CRC_TABLE[n] = c


_crc_table()

cdef bint ASCII_WORD[128]  # what \\w matches below 128: letters, digits, '_'
for _n in range(128):
    ASCII_WORD[_n] = chr(_n).isalnum() or _n == 95


cdef inline uint32_t _crc_byte(uint32_t crc, unsigned char byte) nogil:
    return CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)


cdef inline uint32_t _crc_char(uint32_t crc, uint32_t ch) nogil:
    """The CRC carried over the UTF-8 bytes of one character."""
    if ch < 0x80:
        return _crc_byte(crc, <unsigned char>ch)
    if ch < 0x800:
        crc = _crc_byte(crc, <unsigned char>(0xC0 | (ch >> 6)))
    elif ch < 0x10000:
        crc = _crc_byte(crc, <unsigned char>(0xE0 | (ch >> 12)))
        crc = _crc_byte(crc, <unsigned char>(0x80 | ((ch >> 6) & 0x3F)))
    else:
        crc = _crc_byte(crc, <unsigned char>(0xF0 | (ch >> 18)))
        crc = _crc_byte(crc, <unsigned char>(0x80 | ((ch >> 12) & 0x3F)))
        crc = _crc_byte(crc, <unsigned char>(0x80 | ((ch >> 6) & 0x3F)))
    return _crc_byte(crc, <unsigned char>(0x80 | (ch & 0x3F)))


def word_crcs(str text):
    """zlib.crc32 of the UTF-8 bytes of each word of `text`, a word being a run that re's \\w+
    matches in a str (an alphanumeric character or '_', as sre's SRE_UNI_IS_WORD): uint32[words]."""
    out = np.empty(len(text) // 2 + 1, dtype=np.uint32)  # a word and its separator take 2 characters at least
    cdef uint32_t[::1] view = out
    cdef Py_ssize_t count = 0
    cdef uint32_t crc = 0
    cdef bint inside = False
    cdef Py_UCS4 ch
    for ch in text:
        if (ASCII_WORD[ch] if ch < 128 else Py_UNICODE_ISALNUM(ch)):
            if not inside:
                crc, inside = 0xFFFFFFFF, True
            crc = _crc_char(crc, <uint32_t>ch)
        elif inside:
            view[count] = crc ^ 0xFFFFFFFF
            count += 1
            inside = False
    if inside:
        view[count] = crc ^ 0xFFFFFFFF
        count += 1
    return out[:count]


cdef inline uint32_t _fmix32(uint32_t h) nogil:
    h ^= h >> 16
    h *= MIX1
    h ^= h >> 13
    h *= MIX2
    return h ^ (h >> 16)


cdef enum:
    MAX_PERMS = 1024


def signature(const uint32_t[::1] hashes, const uint32_t[::1] a, const uint32_t[::1] b):
    """min over the shingles of (a * fmix32(hash) + b) mod 2**32, per permutation: uint32[len(a)]
    (at most MAX_PERMS). The inner loop runs over local arrays with a branch-free minimum: a
    conditional store into the output memoryview, which may alias the inputs, took about twice as long."""
    cdef Py_ssize_t perms = a.shape[0], i, j
    if perms > MAX_PERMS or b.shape[0] != perms:
        raise ValueError(f"{perms} permutations: at most {MAX_PERMS}, as many b as a")
    cdef uint32_t la[MAX_PERMS]
    cdef uint32_t lb[MAX_PERMS]
    cdef uint32_t low[MAX_PERMS]
    cdef uint32_t mixed, value
    with nogil:
        for j in range(perms):
            la[j], lb[j], low[j] = a[j], b[j], 0xFFFFFFFFU
        for i in range(hashes.shape[0]):
            mixed = _fmix32(hashes[i])
            for j in range(perms):
                value = mixed * la[j] + lb[j]
                low[j] = value if value < low[j] else low[j]
    out = np.empty(perms, dtype=np.uint32)
    cdef uint32_t[::1] view = out
    for j in range(perms):
        view[j] = low[j]
    return out
