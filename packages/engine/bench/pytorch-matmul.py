"""torch.mm on one thread for the shapes given as JSON on argv[1]; prints one JSON line.

Each shape [m, k, n] is timed as the best of `runs` batches of `reps` products (reps chosen for
~0.2 s per batch), after a warm-up. The counterpart of bench/matmul-ceiling.ts.
"""

import json
import sys
import time

import torch

from torch_blas import describe_blas

torch.set_num_threads(1)
shapes = json.loads(sys.argv[1])
runs = int(sys.argv[2])
gen = torch.Generator().manual_seed(1)
results = []
for m, k, n in shapes:
    a = torch.rand(m, k, generator=gen)
    b = torch.rand(k, n, generator=gen)
    reps = max(5, round(0.4e9 / (2 * m * k * n)))
    for _ in range(3):
        torch.mm(a, b)
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b)
        best = min(best, (time.perf_counter() - start) / reps)
    results.append(2 * m * k * n / best / 1e9)
print(json.dumps({"torch": torch.__version__, "blas": describe_blas(), "gflops": results}))
