/**
 * The PyTorch anchor of the engine benchmarks: finding a python3 with torch, and judging the BLAS the
 * PyTorch process reported (bench/torch_blas.py asks the dynamic linker which library provides the
 * sgemm_ libtorch calls). Debian's reference BLAS (`libblas3`) is a textbook loop, 5-20x slower than
 * OpenBLAS on these shapes; a ratio against it flatters the engine, so it is marked not comparable.
 */
import { spawnSync } from "node:child_process";

/** What torch_blas.describe_blas() prints. */
export interface TorchBlas {
  readonly name: string;
  /** Real path of the library providing sgemm_ (null if it could not be found). */
  readonly library: string | null;
  /** OpenBLAS's own build string and thread count, where available. */
  readonly detail: string | null;
  /** False for the reference BLAS: no ratio against such a run is a target result. */
  readonly comparable: boolean;
  /** torch.__config__.show()'s BLAS_INFO (Debian: "generic", i.e. whatever libblas.so.3 is). */
  readonly buildInfo: string | null;
}

export const INSTALL_OPENBLAS = "apt-get install -y libopenblas0-pthread (Debian's alternatives then point libblas.so.3 at OpenBLAS)";

/** Debian's python3-torch installs for the system interpreter, which may not be the first python3 on PATH. */
export function findTorchPython(): string | undefined {
  return ["/usr/bin/python3", "python3"].find((p) => spawnSync(p, ["-c", "import torch"], { stdio: "ignore" }).status === 0);
}

/** Environment for a one-thread PyTorch run (intra-op threads and every BLAS's own pool). */
export function oneThreadEnv(): NodeJS.ProcessEnv {
  return { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1", BLIS_NUM_THREADS: "1" };
}

/** "OpenBLAS (OpenBLAS 0.3.21 ... Haswell, 1 thread)", or "... NOT COMPARABLE" for the reference BLAS. */
export function blasLabel(blas: TorchBlas | undefined): string {
  if (blas === undefined) return "BLAS unknown";
  const text = blas.detail === null ? blas.name : `${blas.name} (${blas.detail})`;
  return blas.comparable ? text : `${text}: NOT COMPARABLE (install OpenBLAS: ${INSTALL_OPENBLAS})`;
}
