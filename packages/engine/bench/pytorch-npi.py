"""PyTorch reference for bench/npi-speed.ts: npi-core's NPI (packages/npi-core/src/tfjs/npi-model.ts)
written in idiomatic PyTorch, trained on the very sub-batches and from the very weights the
TypeScript side exported, CPU, one thread. Prints one JSON line.

The network, as npi-core builds it:
  encoder   concat(flattened observation, one-hot(3 arguments, depth)) -> Dense+ReLU (hidden) -> Dense (D)
  fusion    concat(s, M_prog[program]) -> Dense+ReLU -> Dense (LSTM width)
  core      2-layer LSTM (gates i, f, g, o, as PyTorch's), zero state at every invocation
  decoders  end logit, program key (K) scored against [noCallKey; M_key], 3 argument heads
  loss      BCE(end) + CE(program) + masked CE(3 arguments), each summed over real steps / real steps,
            averaged over the step's sub-batches; Adam, gradient norm clipped at 1.
Our single LSTM bias is PyTorch's bias_ih (bias_hh starts at zero): the same function.

Timing follows npi-speed.ts: warm-up steps, then the minimum over runs of several steps; a RUN step
is one batched forward of 1 or 250 frames from their previous LSTM state, decisions read back to
Python numbers as the RUN loop needs them.

Usage: python3 pytorch-npi.py <task.json> <warmup> <runs> <steps> <run warmup> <run runs> <run steps>
"""

import base64
import json
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from torch_blas import describe_blas

torch.set_num_threads(1)


def decode(text, dtype):
    return torch.from_numpy(np.frombuffer(base64.b64decode(text), dtype=dtype).copy())


class Npi(nn.Module):
    def __init__(self, spec):
        super().__init__()
        c = spec["config"]
        self.units, self.depth, self.layers = c["lstmSize"], c["argumentDepth"], c["lstmLayers"]
        w = {name: decode(v["data"], np.float32).reshape(v["shape"]) for name, v in spec["weights"].items()}

        def dense(prefix):
            kernel = w[f"{prefix}/kernel"]
            layer = nn.Linear(kernel.shape[0], kernel.shape[1])
            with torch.no_grad():
                layer.weight.copy_(kernel.t())
                layer.bias.copy_(w[f"{prefix}/bias"])
            return layer

        self.encoder = nn.ModuleList(dense(k[: -len("/kernel")]) for k in spec["encoderLayers"])
        self.fusion_hidden = dense("fusion/hidden")
        self.fusion_output = dense("fusion/output")
        self.lstm = nn.LSTM(self.units, self.units, num_layers=self.layers)
        with torch.no_grad():
            for l in range(self.layers):
                getattr(self.lstm, f"weight_ih_l{l}").copy_(w[f"core/lstm{l}/kernel"].t())
                getattr(self.lstm, f"weight_hh_l{l}").copy_(w[f"core/lstm{l}/recurrent_kernel"].t())
                getattr(self.lstm, f"bias_ih_l{l}").copy_(w[f"core/lstm{l}/bias"])
                getattr(self.lstm, f"bias_hh_l{l}").zero_()
        self.end = dense("decoder/end")
        self.key = dense("decoder/programKey")
        self.args = nn.ModuleList(dense(f"decoder/argument{i}") for i in range(3))
        self.program_keys = nn.Parameter(w["memory/programKeys"])
        self.program_embeddings = nn.Parameter(w["memory/programEmbeddings"])
        self.no_call_key = nn.Parameter(w["memory/noCallKey"])

    def encode(self, observations, args):
        x = torch.cat([observations, F.one_hot(args, self.depth).flatten(1).float()], 1)
        for i, layer in enumerate(self.encoder):
            x = layer(x)
            if i < len(self.encoder) - 1:
                x = F.relu(x)
        return x

    def fuse(self, s, programs):
        p = F.embedding(programs, self.program_embeddings)
        return self.fusion_output(F.relu(self.fusion_hidden(torch.cat([s, p], 1))))

    def decode(self, h):
        scores = self.key(h) @ torch.cat([self.no_call_key, self.program_keys], 0).t()
        return self.end(h).squeeze(1), scores, [head(h) for head in self.args]

    def forward(self, b):
        steps, size = b["steps"], b["size"]
        # Row t*size + r is invocation r at timestep t; its program and arguments repeat over t.
        s = self.encode(b["observations"], b["args"].repeat(steps, 1))
        x = self.fuse(s, b["programs"].repeat(steps))
        h, _ = self.lstm(x.view(steps, size, self.units))
        return self.decode(h.reshape(steps * size, self.units))

    def loss(self, b):
        end, scores, arg_logits = self(b)
        mask, arg_mask = b["stepMask"], b["argumentMask"]
        real = mask.sum().clamp(min=1)
        end_loss = (F.binary_cross_entropy_with_logits(end, b["ends"], reduction="none") * mask).sum() / real
        program_loss = (F.cross_entropy(scores, b["calls"] + 1, reduction="none") * mask).sum() / real
        argument_terms = sum(F.cross_entropy(arg_logits[i], b["callArgs"][:, i], reduction="none") for i in range(3))
        argument_loss = (argument_terms * arg_mask * mask).sum() / real
        return end_loss + program_loss + argument_loss

    @torch.no_grad()
    def run_step(self, observations, programs, args, state):
        x = self.fuse(self.encode(observations, args), programs)
        h, state = self.lstm(x.unsqueeze(0), state)
        end, scores, arg_logits = self.decode(h[0])
        decisions = (torch.sigmoid(end).tolist(), scores.argmax(1).tolist(), [a.argmax(1).tolist() for a in arg_logits])
        return decisions, state


def batch_tensors(raw):
    steps, size = raw["steps"], raw["size"]
    return {
        "steps": steps,
        "size": size,
        "observations": decode(raw["observations"], np.float32).view(steps * size, -1),
        "programs": decode(raw["programs"], np.int32).long(),
        "args": decode(raw["args"], np.int32).long().view(size, 3),
        "ends": decode(raw["ends"], np.float32),
        "calls": decode(raw["calls"], np.int32).long(),
        "callArgs": decode(raw["callArgs"], np.int32).long().view(steps * size, 3),
        "argumentMask": decode(raw["argumentMask"], np.float32),
        "stepMask": decode(raw["stepMask"], np.float32),
    }


def main():
    spec = json.load(open(sys.argv[1]))
    warmup, runs, steps, run_warmup, run_runs, run_steps = (int(a) for a in sys.argv[2:8])
    model = Npi(spec)
    optimizer = torch.optim.Adam(model.parameters(), lr=spec["trainer"]["learningRate"], betas=(0.9, 0.999), eps=1e-8)
    clip = spec["trainer"]["clipNorm"]
    data = [[batch_tensors(b) for b in step] for step in spec["steps"]]
    k = 0
    first_loss = None

    def train_step():
        nonlocal k, first_loss
        optimizer.zero_grad()
        loss = sum(model.loss(b) for b in data[k]) / len(data[k])
        loss.backward()
        if first_loss is None:
            first_loss = loss.item()
        nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        k += 1

    for _ in range(warmup):
        train_step()
    train_ms = []
    cpu_start = time.process_time()
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(steps):
            train_step()
        train_ms.append((time.perf_counter() - start) / steps * 1000)
    train_cpu_ms = (time.process_time() - cpu_start) / (runs * steps) * 1000

    run = spec["run"]
    observations = decode(run["observations"], np.float32)
    programs = decode(run["programs"], np.int32).long()
    args = decode(run["args"], np.int32).long().view(-1, 3)
    observations = observations.view(programs.shape[0], -1)
    run_ms = {}
    for frames in (1, 250):
        o, p, a = observations[:frames], programs[:frames], args[:frames]
        _, state = model.run_step(o, p, a, None)
        for _ in range(run_warmup):
            model.run_step(o, p, a, state)
        times = []
        for _ in range(run_runs):
            start = time.perf_counter()
            for _ in range(run_steps):
                model.run_step(o, p, a, state)
            times.append((time.perf_counter() - start) / run_steps * 1000)
        run_ms[str(frames)] = times

    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "blas": describe_blas(),
                "firstLoss": first_loss,
                "trainMs": train_ms,
                "trainCpuMs": train_cpu_ms,
                "runMs": run_ms,
            }
        )
    )


main()
