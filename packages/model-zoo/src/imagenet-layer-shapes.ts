/**
 * The weighted layers of the two ImageNet networks of Deep Compression (DC Tables 4 and 5): names,
 * Caffe weight shapes and weight counts, as data for synthetic-weight experiments (no ImageNet, no
 * trained weights involved). Biases are not counted, as in the paper's #Weights column.
 *
 * Shapes are in Caffe order: convolution [out, in / groups, kernelH, kernelW], fully connected
 * [out, in]. AlexNet is the BVLC CaffeNet-style AlexNet with two groups on conv2, conv4 and conv5,
 * which is what makes conv2 307K weights rather than 614K.
 */
export interface LayerShape {
  readonly name: string;
  readonly kind: "conv" | "fc";
  /** Caffe order: conv [out, in/groups, kh, kw]; fc [out, in]. */
  readonly shape: readonly number[];
  /** Convolution groups (1 for fc). */
  readonly groups: number;
  /** Product of `shape`. */
  readonly weights: number;
}

function conv(name: string, out: number, inPerGroup: number, kernel: number, groups = 1): LayerShape {
  const shape = [out, inPerGroup, kernel, kernel];
  return { name, kind: "conv", shape, groups, weights: out * inPerGroup * kernel * kernel };
}

function fc(name: string, out: number, input: number): LayerShape {
  return { name, kind: "fc", shape: [out, input], groups: 1, weights: out * input };
}

/** AlexNet (BVLC): 60,954,656 weights, the paper's "61M". */
export const ALEXNET_LAYERS: readonly LayerShape[] = [
  conv("conv1", 96, 3, 11),
  conv("conv2", 256, 48, 5, 2),
  conv("conv3", 384, 256, 3),
  conv("conv4", 384, 192, 3, 2),
  conv("conv5", 256, 192, 3, 2),
  fc("fc6", 4096, 256 * 6 * 6),
  fc("fc7", 4096, 4096),
  fc("fc8", 1000, 4096),
];

const vggConvs: [string, number, number][] = [
  ["conv1_1", 64, 3],
  ["conv1_2", 64, 64],
  ["conv2_1", 128, 64],
  ["conv2_2", 128, 128],
  ["conv3_1", 256, 128],
  ["conv3_2", 256, 256],
  ["conv3_3", 256, 256],
  ["conv4_1", 512, 256],
  ["conv4_2", 512, 512],
  ["conv4_3", 512, 512],
  ["conv5_1", 512, 512],
  ["conv5_2", 512, 512],
  ["conv5_3", 512, 512],
];

/** VGG-16 (configuration D): 138,344,128 weights, the paper's "138M". */
export const VGG16_LAYERS: readonly LayerShape[] = [
  ...vggConvs.map(([name, out, input]) => conv(name, out, input, 3)),
  fc("fc6", 4096, 512 * 7 * 7),
  fc("fc7", 4096, 4096),
  fc("fc8", 1000, 4096),
];

/** Sum of the weight counts of `layers`. */
export function totalWeights(layers: readonly LayerShape[]): number {
  return layers.reduce((sum, layer) => sum + layer.weights, 0);
}
