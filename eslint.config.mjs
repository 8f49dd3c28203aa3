// ESLint flat config: typescript-eslint's recommended rules, with Prettier owning formatting.
import eslint from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", ".build/", ".bench/", ".peers/"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // The runtime ships in every function: Node built-ins only, no packages.
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
