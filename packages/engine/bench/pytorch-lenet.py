"""PyTorch reference for the engine benchmark: the same two networks, the same protocol.

LeNet-300-100 and the Caffe LeNet-5 (conv1 20@5x5, max-pool 2, conv2 50@5x5, max-pool 2, ip1 500 +
ReLU, ip2 10; no ReLU after the convolutions), SGD with momentum 0.9 at lr 0.01, batch 64, real MNIST
batches held in memory, CPU, one thread. Timed like the TypeScript side: a few warm-up steps, then
the minimum over several runs of several steps. Prints one JSON line, with the BLAS this process
really runs its matmuls on (torch_blas.py) and whether that is a fair anchor.

Usage: python3 pytorch-lenet.py <mnist data dir> <runs> <steps per run> <warm-up steps>
"""

import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from torch_blas import describe_blas

torch.set_num_threads(1)
torch.manual_seed(0)


def read_idx(path, offset):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset)


class Lenet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 20, 5)
        self.conv2 = nn.Conv2d(20, 50, 5)
        self.ip1 = nn.Linear(800, 500)
        self.ip2 = nn.Linear(500, 10)

    def forward(self, x):
        x = F.max_pool2d(self.conv1(x), 2)
        x = F.max_pool2d(self.conv2(x), 2)
        return self.ip2(F.relu(self.ip1(x.flatten(1))))


class Lenet300100(nn.Module):
    def __init__(self):
        super().__init__()
        self.ip1 = nn.Linear(784, 300)
        self.ip2 = nn.Linear(300, 100)
        self.ip3 = nn.Linear(100, 10)

    def forward(self, x):
        x = F.relu(self.ip1(x.flatten(1)))
        return self.ip3(F.relu(self.ip2(x)))


def main():
    data_dir, runs, steps, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    images = read_idx(os.path.join(data_dir, "train-images-idx3-ubyte"), 16).reshape(-1, 1, 28, 28)
    labels = read_idx(os.path.join(data_dir, "train-labels-idx1-ubyte"), 8)
    batches = 20
    order = np.random.default_rng(0).permutation(len(labels))[: batches * 64]
    xs = torch.from_numpy(images[order].astype(np.float32) / 255.0).split(64)
    ys = torch.from_numpy(labels[order].astype(np.int64)).split(64)
    results = {"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": describe_blas(), "models": {}}
    for name, build in (("lenet-300-100", Lenet300100), ("lenet-5", Lenet5)):
        model = build()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        k = 0

        def step():
            nonlocal k
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xs[k % batches]), ys[k % batches])
            loss.backward()
            optimizer.step()
            k += 1

        for _ in range(warmup):
            step()
        per_step = []
        cpu_start = time.process_time()
        for _ in range(runs):
            start = time.perf_counter()
            for _ in range(steps):
                step()
            per_step.append((time.perf_counter() - start) / steps * 1000)
        cpu_ms = (time.process_time() - cpu_start) / (runs * steps) * 1000
        per_step.sort()
        results["models"][name] = {"minMs": per_step[0], "medianMs": per_step[len(per_step) // 2], "runsMs": per_step, "cpuMs": cpu_ms}
    print(json.dumps(results))


main()
