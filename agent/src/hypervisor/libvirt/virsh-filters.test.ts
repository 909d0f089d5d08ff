import { expect, it } from "vitest";
import { parseFilterList } from "./virsh-filters.ts";

it("reads the filter names out of virsh nwfilter-list's table", () => {
  const out = [
    " UUID                                   Name",
    "------------------------------------------------------------------",
    " 5c6c2a5e-6f5c-4b0e-9d0a-3d1c7e1f2a01   allow-arp",
    " 0e7d3a57-8a8b-4c55-9e58-6f1f6b1d0b22   carve-vm-0e7d3a57-8a8b-4c55-9e58-6f1f6b1d0b22",
    "",
  ].join("\n");
  expect(parseFilterList(out)).toEqual(["allow-arp", "carve-vm-0e7d3a57-8a8b-4c55-9e58-6f1f6b1d0b22"]);
});
