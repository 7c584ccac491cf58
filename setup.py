"""Builds the one compiled module, crawler.extract._walk (the body walk on libxml2 nodes). Everything
else is in pyproject.toml. The module is optional: where Cython or a C compiler is missing the install
still succeeds and the extractor runs its Python walk (same output, slower)."""
from setuptools import Extension, setup

try:
    import lxml
    from Cython.Build import cythonize
except ImportError:  # e.g. --no-build-isolation without Cython
    ext_modules = []
else:
    ext_modules = cythonize(
        [Extension("crawler.extract._walk", ["crawler/extract/_walk.pyx"], include_dirs=lxml.get_include(),
                   optional=True)],
        compiler_directives={"language_level": 3}, quiet=True)

setup(ext_modules=ext_modules)
