"""Which BLAS this PyTorch process actually runs its matmuls on, and whether that is a fair anchor.

Debian's python3-torch is built with BLAS_INFO=generic: libtorch_cpu links libblas.so.3, and
Debian's alternatives decide at run time which library that is (reference BLAS from `libblas3`,
OpenBLAS from `libopenblas0-pthread`, BLIS, ...). The symlink does not prove what a process uses
(LD_LIBRARY_PATH, a pip wheel with its own MKL, ...): this asks the dynamic linker which library
provides the `sgemm_` that libtorch_cpu resolves, in this very process, after a matmul has run,
and asks OpenBLAS itself for its build and thread count.

Reference BLAS is a textbook triple loop (5-20x slower than OpenBLAS on these shapes): timing
PyTorch on it flatters whatever it is compared with, so it is reported as not comparable.
"""

import ctypes
import os
import re

import torch

# (pattern on the real path of the library providing sgemm_, name, comparable); the first match wins.
_KNOWN = (
    (re.compile(r"mkl"), "MKL", True),
    (re.compile(r"openblas"), "OpenBLAS", True),
    (re.compile(r"blis"), "BLIS", True),
    (re.compile(r"atlas"), "ATLAS", True),
    (re.compile(r"/blas/libblas\.so"), "reference BLAS (netlib, Debian libblas3)", False),
)


class _DlInfo(ctypes.Structure):
    _fields_ = [
        ("dli_fname", ctypes.c_char_p),
        ("dli_fbase", ctypes.c_void_p),
        ("dli_sname", ctypes.c_char_p),
        ("dli_saddr", ctypes.c_void_p),
    ]


def _mapped_libraries():
    paths = set()
    with open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split()
            if len(parts) >= 6 and ".so" in parts[5]:
                paths.add(parts[5])
    return sorted(paths)


def _sgemm_provider(libraries):
    """Real path of the library whose sgemm_ libtorch_cpu sees (dlsym in its scope, then dladdr)."""
    torch_cpu = next((p for p in libraries if "libtorch_cpu" in p), None)
    if torch_cpu is None:
        return None
    try:
        address = ctypes.cast(ctypes.CDLL(torch_cpu).sgemm_, ctypes.c_void_p).value
        info = _DlInfo()
        if ctypes.CDLL(None).dladdr(ctypes.c_void_p(address), ctypes.byref(info)) == 0 or not info.dli_fname:
            return None
        return os.path.realpath(info.dli_fname.decode())
    except (OSError, AttributeError):
        return None


def _openblas_config(libraries):
    for path in libraries:
        if "libopenblas" not in path:
            continue
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_config.restype = ctypes.c_char_p
            threads = lib.openblas_get_num_threads()
            return f"{lib.openblas_get_config().decode()}, {threads} thread{'s' if threads != 1 else ''}"
        except (OSError, AttributeError):
            continue
    return None


def describe_blas():
    """{name, library, detail, comparable, buildInfo}: the BLAS this process runs sgemm on."""
    a = torch.ones(64, 64)
    torch.mm(a, a)  # some builds load libblas.so.3 lazily
    build = re.search(r"BLAS_INFO=([^,\s]+)", torch.__config__.show())
    build_info = build.group(1) if build else None
    libraries = _mapped_libraries()
    provider = _sgemm_provider(libraries)
    if provider is not None:
        for pattern, name, comparable in _KNOWN:
            if pattern.search(provider):
                detail = _openblas_config(libraries) if name == "OpenBLAS" else None
                return {"name": name, "library": provider, "detail": detail, "comparable": comparable, "buildInfo": build_info}
    if build_info is not None and build_info.lower().startswith("mkl"):
        # pip wheels link MKL into libtorch: no separate library to see, the build says it.
        return {"name": "MKL (linked into libtorch)", "library": None, "detail": None, "comparable": True, "buildInfo": build_info}
    return {
        "name": "unknown",
        "library": provider or ", ".join(p for p in libraries if "blas" in p or "mkl" in p) or None,
        "detail": None,
        "comparable": True,
        "buildInfo": build_info,
    }


def blas_label(blas):
    """One line naming the BLAS, e.g. 'OpenBLAS (OpenBLAS 0.3.21 ... Haswell, 1 thread)'."""
    text = blas["name"] + (f" ({blas['detail']})" if blas.get("detail") else "")
    return text if blas["comparable"] else f"{text}: NOT COMPARABLE"
