/**
 * Synthetic weights for AlexNet and VGG-16 (there is no ImageNet and no trained model here).
 *
 * What is drawn, chosen before any size was measured and not tuned afterwards:
 * - every weight is Laplace-distributed around zero (trained conv/fc weights are peaked at zero with
 *   heavier-than-Gaussian tails; the Laplace law is the usual model for them in the quantization
 *   literature);
 * - the overall scale is He's: standard deviation sqrt(2 / fan-in), fan-in = in-channels per group ×
 *   kh × kw for convolutions and inputs for fc layers (the scale does not change any size: pruning
 *   by magnitude and k-means are scale-free);
 * - each output channel / neuron gets its own scale factor exp(0.3 · N(0, 1)), because trained
 *   layers have filters and neurons of visibly different norms; it makes the kept density vary from
 *   row to row after magnitude pruning, as it does in trained networks.
 * Layout is Caffe's ([out, in/groups, kh, kw] for conv, [out, in] for fc), the layout of the paper's
 * reference decoder, so relative indices run along a filter / a neuron's inputs.
 * What it cannot have is the structure training leaves behind (dead neurons, input pixels that are
 * never used, correlated filters); see the report for how that shows in the index bits.
 */
import type { LayerShape } from "@dcnpi/model-zoo";
import type { Rng } from "@dcnpi/tensor";

export const SYNTHETIC_WEIGHTS = {
  distribution: "Laplace (double exponential), zero mean",
  std: "He: sqrt(2 / fan-in)",
  channelScaleLogStd: 0.3,
  layout: "Caffe: conv [out, in/groups, kh, kw], fc [out, in]",
  biases: "zeros (stored dense as float32; counted in the true bytes, not in the paper's)",
} as const;

export function fanIn(layer: LayerShape): number {
  return layer.shape.slice(1).reduce((a, b) => a * b, 1);
}

/**
 * The weights of one layer, deterministic in `rng` (fork it by layer name). Draws one uniform per
 * weight (inverse-CDF Laplace), so generating 100M weights takes seconds and no extra memory.
 */
export function syntheticLayerWeights(layer: LayerShape, rng: Rng): Float32Array {
  const out = new Float32Array(layer.weights);
  const rows = layer.shape[0]!;
  const perRow = layer.weights / rows;
  // Laplace with scale b has standard deviation b·sqrt(2).
  const b = Math.sqrt(2 / fanIn(layer)) / Math.SQRT2;
  const scales = rng.fork("channel-scale");
  const values = rng.fork("values");
  for (let r = 0; r < rows; r++) {
    const scale = b * Math.exp(SYNTHETIC_WEIGHTS.channelScaleLogStd * scales.normal());
    const base = r * perRow;
    for (let i = 0; i < perRow; i++) {
      // u in (-1/2, 1/2); inverse CDF of Laplace(0, 1): -sign(u)·ln(1 - 2|u|).
      let u = values.float() - 0.5;
      if (u === -0.5) u = 0;
      const magnitude = -Math.log(1 - 2 * Math.abs(u));
      out[base + i] = scale * (u < 0 ? -magnitude : magnitude);
    }
  }
  return out;
}
