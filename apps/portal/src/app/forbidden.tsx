export default function Forbidden() {
  return (
    <div className="panel">
      <h1>Not allowed (403)</h1>
      <p>This page is for Carve administrators. Ask an admin if you need something here.</p>
    </div>
  );
}
