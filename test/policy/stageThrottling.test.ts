// streaming-stage-throttling (a stack policy): the component's stage is throttled for every method.
import { expect } from "chai";
import { stageThrottling } from "../../policy/rules/stageThrottling";
import { deployComponent, subjectOf, withInputs } from "./componentResources";
import { UNKNOWN_STRING, validateStack, type PolicySubject } from "./policyHarness";

const STAGE = "aws:apigateway/stage:Stage";
const METHOD_SETTINGS = "aws:apigateway/methodSettings:MethodSettings";

describe("policy streaming-stage-throttling", function () {
  this.timeout(60_000);
  let subjects: PolicySubject[];
  let stage: PolicySubject;
  let settings: PolicySubject;

  before(async function () {
    subjects = await deployComponent("policy-throttle", { throttle: { rateLimit: 20, burstLimit: 40 } });
    stage = subjectOf(subjects, STAGE);
    settings = subjectOf(subjects, METHOD_SETTINGS);
  });

  const replacing = (replacement: PolicySubject | undefined): PolicySubject[] =>
    subjects.flatMap((subject) =>
      subject === settings ? (replacement === undefined ? [] : [replacement]) : [subject],
    );

  it("passes the component's stage, matched to its */* method settings", async function () {
    expect(settings.inputs).to.deep.include({
      methodPath: "*/*",
      stageName: "prod",
      settings: { throttlingRateLimit: 20, throttlingBurstLimit: 40 },
    });
    expect(await validateStack(stageThrottling, subjects)).to.deep.equal({ violations: [] });
  });

  it("reports a stage without method settings, on the stage", async function () {
    expect(await validateStack(stageThrottling, replacing(undefined))).to.deep.equal({
      violations: [
        {
          message:
            'Stage "prod" has no "*/*" method settings, so it is not throttled beyond the account-wide limit. ' +
            "Add throttling (the component's `throttle` argument does).",
          urn: stage.urn,
        },
      ],
    });
  });

  it("reports method settings that switch throttling off (-1) or leave it unset", async function () {
    const off = withInputs(settings, { settings: { throttlingRateLimit: -1 } });
    const outcome = await validateStack(stageThrottling, replacing(off));
    expect(outcome.violations.map(({ message, urn }) => [message, urn === settings.urn])).to.deep.equal([
      [
        'Stage "prod": throttlingRateLimit is -1, which turns throttling off. Set a limit of 0 or more.',
        true,
      ],
      [
        'Stage "prod": throttlingBurstLimit is unset, which turns throttling off. Set a limit of 0 or more.',
        true,
      ],
    ]);
  });

  it("does not count method settings of one method, or of another stage", async function () {
    const oneMethod = withInputs(settings, { methodPath: "stream/GET" });
    expect((await validateStack(stageThrottling, replacing(oneMethod))).violations).to.have.length(1);
    const otherStage = withInputs(settings, { stageName: "staging" });
    expect((await validateStack(stageThrottling, replacing(otherStage))).violations).to.have.length(1);
  });

  it("applies configured maximum limits", async function () {
    const outcome = await validateStack(stageThrottling, subjects, {
      maximumRateLimit: 10,
      maximumBurstLimit: 40,
    });
    expect(outcome.violations.map(({ message }) => message)).to.deep.equal([
      'Stage "prod": throttlingRateLimit is 20, above the policy\'s maximum of 10.',
    ]);
  });

  it("matches by dependency while a preview does not know the REST API's id yet", async function () {
    const unknownApi = { restApi: UNKNOWN_STRING };
    const previewStage = withInputs(stage, unknownApi);
    const previewSettings = { ...withInputs(settings, unknownApi), dependencies: [stage.urn] };
    const preview = subjects.map((subject) =>
      subject === stage ? previewStage : subject === settings ? previewSettings : subject,
    );
    expect(await validateStack(stageThrottling, preview)).to.deep.equal({ violations: [] });
    const unlinked = preview.map((subject) =>
      subject === previewSettings ? withInputs(settings, unknownApi) : subject,
    );
    expect((await validateStack(stageThrottling, unlinked)).violations).to.have.length(1);
  });

  it("is not applicable to a stack without stages in scope", async function () {
    const outcome = await validateStack(
      stageThrottling,
      subjects.filter((subject) => subject !== stage),
    );
    expect(outcome).to.deep.equal({
      violations: [],
      notApplicable: "the stack has no API Gateway stage in scope",
    });
  });
});
