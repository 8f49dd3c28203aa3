// Small checks the argument validation shares: fixed choices, whole numbers, plain objects.

/** Refuses an argument: throws an error naming `argument`, with `message` saying what to do. */
export type Fail = (argument: string, message: string) => never;

/**
 * `value` when it is one of the values of `choices` (an object from ./enums); otherwise refuses `argument`,
 * listing the values, with `hint` after them.
 */
export function checkChoice<TChoice extends string>(
  argument: string,
  value: unknown,
  choices: Readonly<Record<string, TChoice>>,
  fail: Fail,
  hint = "",
): TChoice {
  const values: readonly unknown[] = Object.values(choices);
  if (values.includes(value)) return value as TChoice;
  const listed = values.map((choice) => JSON.stringify(choice));
  const options =
    listed.length <= 2 ? listed.join(" or ") : `${listed.slice(0, -1).join(", ")} or ${listed.at(-1)}`;
  return fail(
    argument,
    `${argument} must be ${options} (got ${JSON.stringify(value) ?? String(value)}).${hint === "" ? "" : ` ${hint}`}`,
  );
}

/** Whether `value` is a whole number from `min` to `max`. */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/** Whether `value` is an object literal (not an array, an output or a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
