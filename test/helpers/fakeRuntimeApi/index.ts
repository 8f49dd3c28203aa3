// The one programmable fake Lambda Runtime API, for tests and the bench.
export { FakeRuntimeApi, type FakeRuntimeApiOptions } from "./fakeRuntimeApi";
export { Exchange, Invocation, type Answer, type ExchangeState, type ReplyError } from "./exchange";
export { isInitError, isNext, isReplyTo, type Fault, type Moment, type RequestMatcher } from "./faults";
export { FUNCTION_ARN, NEXT_PATH, RUNTIME_PATH, type QueuedEvent } from "./answers";
export { PRELUDE_CONTENT_TYPE } from "./preludeScanner";
export type { RequestHead } from "./requestParser";
