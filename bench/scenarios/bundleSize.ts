// (g) Bundle size of the runtime and the example handler: as `pulumi up` deploys it, and bundled plainly with esbuild.
import path from "node:path";
import { buildBundle } from "../../components/bundle";
import { bundlePlainly } from "../clients/plainBundle";
import type { Metric, Scenario } from "./types";

/** The example handler the stack deploys. */
const EXAMPLE_HANDLER = path.join(__dirname, "..", "..", "handler", "index.ts");

/** Sizes are reported, not targeted: the plain bundle is what users who bundle the runtime themselves get. */
export const bundleSize: Scenario = {
  letter: "g",
  id: "bundle-size",
  title: "Bundle size of the runtime and the example handler",
  clients: [],
  placement: "any-core",
  async run(context) {
    const deployed = await buildBundle({
      handler: EXAMPLE_HANDLER,
      handlerExport: "handler",
      outDir: path.join(context.buildDir, "example"),
    });
    const plain = await bundlePlainly(
      EXAMPLE_HANDLER,
      "handler",
      path.join(context.buildDir, "example-plain"),
    );
    const metrics: Metric[] = [
      {
        id: "bundle-bytes",
        title:
          "(g) runtime + example handler, minified index.mjs (ours: as deployed; ours-bare: plain esbuild)",
        unit: "bytes",
        better: "lower",
        digits: 0,
        series: { ours: [deployed.bundleBytes], "ours-bare": [plain.bytes] },
      },
      {
        id: "zip-bytes",
        title: "(g) deployment zip (bootstrap, index.mjs, source map)",
        unit: "bytes",
        better: "lower",
        digits: 0,
        series: { ours: [deployed.zipBytes] },
      },
    ];
    return {
      metrics,
      ratios: [
        {
          id: "bundle-bytes:ours",
          title: "(g) bundle bytes, runtime + example handler, as deployed",
          numerator: { metric: "bundle-bytes", series: "ours" },
        },
        {
          id: "bundle-bytes:ours-bare",
          title: "(g) bundle bytes, runtime + example handler, plain esbuild bundle",
          numerator: { metric: "bundle-bytes", series: "ours-bare" },
        },
      ],
    };
  },
};
