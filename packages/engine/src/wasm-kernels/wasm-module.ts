import { buildBiasActivation, type BiasActivationFunction } from "./epilogue.js";
import {
  buildCol2imAdd,
  buildCol2imRowAdd,
  buildIm2colKPanels,
  buildIm2colKPanelsSingleChannel,
  buildIm2colKPanelsVector,
  buildIm2colPanels,
  buildIm2colRowPanels,
  type Im2colFunctions,
} from "./im2col.js";
import { buildMaxPoolGrad, buildMaxPoolGradVector, type MaxPoolGradFunction } from "./max-pool-grad.js";
import { buildPackPanels, type PackPanels } from "./panel-pack.js";
import { buildGemm, type SimdGemm } from "./simd-gemm.js";
import { buildSumRows, type SumRowsFunction } from "./sum.js";
import { assembleModule } from "./wasm-assembler.js";
import { webAssembly, type WasmMemory, type WasmModule } from "./webassembly.js";

/** Every function of the dcnpi WebAssembly module; all work in place on the tfjs heap (byte addresses). */
export type DcnpiWasm = SimdGemm & PackPanels & Im2colFunctions & MaxPoolGradFunction & SumRowsFunction & BiasActivationFunction;

let compiled: WasmModule | undefined;

/** The module bytes (assembled on first use, a few kilobytes). */
export function dcnpiWasmBytes(): Uint8Array {
  return assembleModule([
    buildGemm("gemmBOuter", false),
    buildGemm("gemmAOuter", true),
    buildPackPanels(),
    buildIm2colPanels(),
    buildCol2imAdd(),
    buildIm2colRowPanels(),
    buildCol2imRowAdd(),
    buildMaxPoolGrad(),
    buildMaxPoolGradVector(),
    buildSumRows(),
    buildIm2colKPanels(),
    buildIm2colKPanelsVector(),
    buildIm2colKPanelsSingleChannel(),
    buildBiasActivation(),
  ]);
}

/** Instantiates the module against `memory` (the tfjs wasm heap); it is compiled once per process. */
export function instantiateDcnpiWasm(memory: WasmMemory): DcnpiWasm {
  const api = webAssembly();
  compiled ??= new api.Module(dcnpiWasmBytes());
  return new api.Instance(compiled, { env: { memory } }).exports as DcnpiWasm;
}
