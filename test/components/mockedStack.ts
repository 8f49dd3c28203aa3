// A component test's stack under Pulumi mocks: a scratch project to run in, deploy, and what was recorded.
import { recorder, settle, type RecordedResource } from "../helpers/pulumiMocks";
// The mocks above are installed before the component module is loaded.
import { expect } from "chai";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { StreamingRestApi, type StreamingRestApiArgs } from "../../components";

/** The example handler, which every component test bundles. */
export const EXAMPLE_HANDLER = path.resolve(__dirname, "..", "..", "handler", "index.ts");

/**
 * Registers, in the calling `describe`, hooks that run its tests in a fresh scratch project (the component
 * bundles into `.build/` under the working directory), remove it afterwards, and fail a test that made
 * resources or provider calls the mocks did not expect.
 * @param label Names the scratch folder, e.g. `cors`.
 */
export function inScratchProject(label: string): void {
  const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), `streaming-rest-api-${label}-`));
  let originalDirectory: string;
  before(function () {
    originalDirectory = process.cwd();
    process.chdir(projectDir);
  });
  after(function () {
    process.chdir(originalDirectory);
    fs.rmSync(projectDir, { recursive: true, force: true });
  });
  afterEach(function () {
    expect(recorder.unexpected, "unexpected resources or provider calls").to.deep.equal([]);
  });
}

/**
 * Creates a component with the example handler and `args`, and waits until the mocks have recorded it.
 * @param name The component's name.
 * @param args What to pass besides the handler.
 */
export async function deploy(name: string, args: Partial<StreamingRestApiArgs>): Promise<StreamingRestApi> {
  const api = new StreamingRestApi(name, { handler: EXAMPLE_HANDLER, ...args });
  await settle();
  return api;
}

/** The inputs the mocks recorded for the resource named `name`. */
export function inputsOf(name: string): RecordedResource["inputs"] {
  return recorder.get(name).inputs;
}
