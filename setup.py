"""Builds the two compiled modules: crawler.extract._walk (the body walk on libxml2 nodes) and
storage.dedup._minhash (the MinHash signature and word hashes). Everything else is in pyproject.toml.
Both are optional: where Cython or a C compiler is missing the install still succeeds and their Python
twins run (same output, slower)."""
from setuptools import Extension, setup

try:
    import lxml
    from Cython.Build import cythonize
except ImportError:  # e.g. --no-build-isolation without Cython
    ext_modules = []
else:
    ext_modules = cythonize(
        [Extension("crawler.extract._walk", ["crawler/extract/_walk.pyx"], include_dirs=lxml.get_include(),
                   optional=True),
         Extension("storage.dedup._minhash", ["storage/dedup/_minhash.pyx"], optional=True)],
        compiler_directives={"language_level": 3}, quiet=True)

setup(ext_modules=ext_modules)
