// The one react-dom entry the page uses (@types/react-dom cannot be added: npm's peer resolution
// of Taro's optional vite@4 peer refuses any new install beside Vite 7).
declare module 'react-dom/client' {
  import type { ReactNode } from 'react'
  export interface Root {
    render(children: ReactNode): void
    unmount(): void
  }
  export function createRoot(container: Element | DocumentFragment): Root
}
