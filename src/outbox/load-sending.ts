/** Browser (H5): the crypto part of sending is a separate chunk, fetched when a report is sent. */
export function loadSending(): Promise<typeof import('./sending')> {
  return import('./sending')
}
