import Link from "next/link";

export default function NotFound() {
  return (
    <div className="panel">
      <h1>Not found (404)</h1>
      <p>Nothing here among what you can see. <Link href="/vms">Back to My VMs</Link></p>
    </div>
  );
}
