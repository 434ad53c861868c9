/**
 * The demo models shipped in public/models (made by scripts/make-demo-models.ts; where each comes from
 * is in public/models/provenance.json). URLs are relative, so dist/ works from any path.
 */
export const DEMO_MODELS = {
  lenetCompressed: "models/lenet-300-100.dcnpi",
  lenetDense: "models/lenet-300-100-dense/model.json",
  npiAddition: "models/addition.dcnpi",
} as const;
