// streaming-log-retention: the component's log groups expire, and its function logs to one of them.
import { expect } from "chai";
import { logRetention } from "../../policy/rules/logRetention";
import { deployComponent, subjectOf } from "./componentResources";
import { validateResource, type PolicySubject } from "./policyHarness";

const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const FUNCTION = "aws:lambda/function:Function";

describe("policy streaming-log-retention", function () {
  this.timeout(60_000);
  let withAccessLogs: PolicySubject[];

  before(async function () {
    withAccessLogs = await deployComponent("policy-logs", { accessLogging: { retentionInDays: 30 } });
  });

  it("passes the function's and the access logs' groups, and the function's logging config", async function () {
    const groups = withAccessLogs.filter((subject) => subject.type === LOG_GROUP);
    expect(groups.map((group) => [group.name, group.inputs["retentionInDays"]])).to.deep.equal([
      ["policy-logs-logs", 14],
      ["policy-logs-access-logs", 30],
    ]);
    for (const group of groups) {
      expect(await validateResource(logRetention, group), group.name).to.deep.equal({ violations: [] });
    }
    const fn = subjectOf(withAccessLogs, FUNCTION);
    expect(fn.inputs["loggingConfig"]).to.have.property("logGroup", groups[0]?.outputs["name"]);
    expect(await validateResource(logRetention, fn)).to.deep.equal({ violations: [] });
  });

  it("refuses a log group whose retention a transform removed", async function () {
    const subjects = await deployComponent("policy-forever", {
      transform: {
        logGroup: (args) => {
          delete args.retentionInDays;
        },
      },
    });
    const outcome = await validateResource(logRetention, subjectOf(subjects, LOG_GROUP));
    expect(outcome.violations).to.deep.equal([
      "Log group /aws/lambda/policy-forever-* keeps its logs forever (no retentionInDays). Set a retention period.",
    ]);
  });

  it("refuses a function that leaves its log group to Lambda", async function () {
    const subjects = await deployComponent("policy-lambdalogs", {
      transform: { function: { loggingConfig: { logFormat: "JSON" } } },
    });
    const outcome = await validateResource(logRetention, subjectOf(subjects, FUNCTION));
    expect(outcome.violations).to.have.length(1);
    expect(outcome.violations[0]).to.match(/^The function sets no loggingConfig.logGroup/);
  });

  it("applies a configured minimum retention", async function () {
    const group = subjectOf(withAccessLogs, LOG_GROUP, "policy-logs-logs");
    expect(await validateResource(logRetention, group, { minimumDays: 30 })).to.deep.equal({
      violations: [
        "Log group /aws/lambda/policy-logs-* keeps logs for 14 days; the policy asks for at least 30.",
      ],
    });
  });
});
