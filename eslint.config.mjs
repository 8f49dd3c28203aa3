// ESLint flat config: typescript-eslint's recommended rules, with Prettier owning formatting.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".build/", ".bench/", ".peers/", ".test-results/"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // One way to keep members private: ES #private, enforced at run time, not TypeScript's keyword.
      "no-restricted-syntax": [
        "error",
        {
          selector:
            ":matches(PropertyDefinition, MethodDefinition, TSParameterProperty)[accessibility=/private|protected/]",
          message: "Use an ES #private member, not TypeScript's private/protected keyword.",
        },
      ],
    },
  },
  {
    // The runtime ships in every function: Node built-ins and its own modules only, never the local tools.
    files: ["runtime/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!node:|\\.)",
              allowTypeImports: true,
              message: "runtime/ imports only node: built-ins (type-only imports are erased).",
            },
            {
              group: [
                "**/local",
                "**/local/**",
                "**/components",
                "**/components/**",
                "**/scripts/**",
                "**/test/**",
                "**/bench/**",
              ],
              message:
                "runtime/ ships in every function: it must not import the local tools, the component or dev code.",
            },
          ],
        },
      ],
    },
  },
  {
    // The local server is a development tool: it may use the runtime's protocol code, never the component's.
    files: ["local/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              // @smithy/* too: LOCAL_LAMBDA_AUTH=AWS_IAM checks signatures with the maintained SigV4 signer
              // (local/auth/), never hand-written crypto. local/ is a dev tool, never in a function's bundle.
              regex: "^(?!node:|\\.|@smithy/)",
              allowTypeImports: true,
              message:
                "local/ imports only node: built-ins, @smithy/* and this repository's runtime/ and local/.",
            },
            {
              group: ["**/components", "**/components/**", "**/scripts/**", "**/test/**", "**/bench/**"],
              message: "local/ must not import the component or dev code.",
            },
          ],
        },
      ],
    },
  },
  {
    // The example handler depends on our runtime only.
    files: ["handler/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        { patterns: [{ regex: "^(?!\\.\\./runtime)", message: "handler/ imports only runtime/." }] },
      ],
    },
  },
  {
    // The Hono example may also import hono (a devDependency: it is bundled into that example's function only).
    files: ["handler/hono/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(?!(\\.\\./)+runtime$|hono$|hono/)",
              message: "handler/hono/ imports only runtime/ and hono.",
            },
          ],
        },
      ],
    },
  },
  {
    // The component hands esbuild the runtime's path; it never imports runtime code.
    files: ["components/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "runtime", message: "components/ must not import runtime/: pass its path to esbuild." },
          ],
        },
      ],
    },
  },
);
