import "@tensorflow/tfjs-backend-cpu";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
await tf.setBackend("cpu");
const m = tfl.sequential(); m.add(tfl.layers.lstm({inputShape:[5,3], units: 4})); console.log("ok", typeof tf.tensor([1]).flatten);
