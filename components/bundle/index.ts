// The bundler, usable without Pulumi (`npm start`, the benchmark): esbuild bundle, bootstrap, deterministic zip.
export {
  buildBundle,
  prepareBundle,
  writeBundle,
  resolveHandlerFile,
  locateRuntimeEntry,
  locateLocalServerEntry,
  findPackageRoot,
  BundleError,
  BundleFile,
  PACKAGE_NAME,
  RUNTIME_SPECIFIER,
  LAMBDA_NODE_TARGET,
  type BundleOptions,
  type BundleResult,
  type PreparedBundle,
} from "./bundle";
export { BOOTSTRAP_SCRIPT, BOOTSTRAP_ENTRY_FILE, MANAGED_NODE_PATH } from "./bootstrap";
export { zipDeterministically, type ZipEntry } from "./zipArchive";
