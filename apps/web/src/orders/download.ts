// Saves a document the API signed a short-lived URL for (an invoice, a print sheet) under a readable name: fetched
// through the bucket's CORS and handed to the browser as a download, so the dashboard page stays where it is.
export async function downloadSigned(url: string, fileName: string): Promise<void> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`download failed: ${res.status}`);
  const href = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = href;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}
