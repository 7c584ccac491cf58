"""Builds the one compiled module, crawler.extract._walk (the body walk on libxml2 nodes). Everything
else is in pyproject.toml. `optional=True`: where it cannot be compiled, the install still succeeds
and the extractor runs its Python walk (same output, slower)."""
import lxml
from Cython.Build import cythonize
from setuptools import Extension, setup

setup(ext_modules=cythonize(
    [Extension("crawler.extract._walk", ["crawler/extract/_walk.pyx"], include_dirs=lxml.get_include(),
               optional=True)],
    compiler_directives={"language_level": 3}, quiet=True))
