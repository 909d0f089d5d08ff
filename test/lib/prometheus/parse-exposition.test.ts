import { describe, expect, it } from "vitest";
import { parseExposition, sampleValue } from "./parse-exposition.ts";

const GOOD = `# HELP jobs_total Jobs done, by "kind"\\nand outcome
# TYPE jobs_total counter
jobs_total{kind="vm.create",outcome="succeeded"} 3
jobs_total{kind="a\\"b\\\\c",outcome="failed"} 1 1700000000000
# HELP depth Queue depth
# TYPE depth gauge
depth 0
# TYPE took_seconds histogram
took_seconds_bucket{le="0.5",kind="x"} 1
took_seconds_bucket{le="1",kind="x"} 2
took_seconds_bucket{le="+Inf",kind="x"} 2
took_seconds_sum{kind="x"} 1.25
took_seconds_count{kind="x"} 2
`;

describe("Prometheus text format parser", () => {
  it("reads families, types, help, labels with escapes, values and timestamps", () => {
    const families = parseExposition(GOOD);
    expect([...families.keys()]).toEqual(["jobs_total", "depth", "took_seconds"]);
    expect(families.get("jobs_total")).toMatchObject({ type: "counter", help: 'Jobs done, by "kind"\nand outcome' });
    expect(families.get("jobs_total")?.samples[1]).toEqual({ name: "jobs_total", labels: { kind: 'a"b\\c', outcome: "failed" }, value: 1 });
    expect(sampleValue(families, "jobs_total", { outcome: "succeeded" })).toBe(3);
    expect(sampleValue(families, "took_seconds_count", { kind: "x" })).toBe(2);
    expect(sampleValue(families, "took_seconds_bucket", { le: "+Inf" })).toBe(2);
    expect(sampleValue(families, "depth", { host: "nope" })).toBeUndefined();
    expect(() => sampleValue(families, "jobs_total")).toThrow(/2 samples/);
  });

  it.each([
    ["no final newline", "a 1", /end with a newline/],
    ["a bad metric name", "1a 1\n", /must start with a metric name/],
    ["a bad label name", 'a{1x="y"} 1\n', /invalid label/],
    ["an unterminated label value", 'a{x="y} 1\n', /unterminated value/],
    ["a bad escape", 'a{x="\\t"} 1\n', /invalid escape/],
    ["a duplicate label", 'a{x="1",x="2"} 1\n', /given twice/],
    ["a bad value", "a one\n", /invalid value/],
    ["an unknown type", "# TYPE a meter\na 1\n", /unknown type/],
    ["a TYPE after samples", "a 1\n# TYPE a gauge\n", /must come once, before its samples/],
    ["a family split in two", "a 1\nb 1\na 2\n", /appears again/],
    ["a negative counter", "# TYPE a counter\na -1\n", /negative/],
    ["a histogram without +Inf", '# TYPE h histogram\nh_bucket{le="1"} 1\nh_sum 1\nh_count 1\n', /does not end with le="\+Inf"/],
    ["a histogram whose +Inf is not its count", '# TYPE h histogram\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 1\n', /is not _count/],
    ["buckets that go down", '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="2"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 2\n', /not increasing and cumulative/],
  ])("refuses %s", (_what, text, error) => {
    expect(() => parseExposition(text)).toThrow(error);
  });
});
