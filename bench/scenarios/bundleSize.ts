// (g) Bundle size: the example handler and our runtime, bundled exactly as `pulumi up` deploys them.
import path from "node:path";
import { buildBundle } from "../../components/bundle";
import type { Scenario } from "./types";

/** The example handler the stack deploys. */
const EXAMPLE_HANDLER = path.join(__dirname, "..", "..", "handler", "index.ts");

/** The budget for runtime + example handler, minified: 15 KB, read strictly as 15,000 bytes. */
export const BUNDLE_BUDGET_BYTES = 15_000;

export const bundleSize: Scenario = {
  letter: "g",
  id: "bundle-size",
  title: "Bundle size of the runtime and the example handler",
  async run(context) {
    const bundle = await buildBundle({
      handler: EXAMPLE_HANDLER,
      handlerExport: "handler",
      outDir: path.join(context.buildDir, "example"),
    });
    return {
      metrics: [
        {
          id: "bundle-bytes",
          title: "(g) runtime + example handler, minified index.mjs",
          unit: "bytes",
          better: "lower",
          digits: 0,
          series: { ours: [bundle.bundleBytes] },
        },
        {
          id: "zip-bytes",
          title: "(g) deployment zip (bootstrap, index.mjs, source map)",
          unit: "bytes",
          better: "lower",
          digits: 0,
          series: { ours: [bundle.zipBytes] },
        },
      ],
      ratios: [
        {
          id: "bundle-bytes:ours",
          title: "(g) bundle bytes, runtime + example handler",
          numerator: { metric: "bundle-bytes", series: "ours" },
          target: { op: "<=", bound: BUNDLE_BUDGET_BYTES },
        },
      ],
    };
  },
};
