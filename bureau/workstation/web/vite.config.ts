/**
 * The workstation's page: React + Ant Design, built by Vite into dist/workstation. Vite rather than
 * the app's Taro/webpack toolchain: this is a plain browser app for a desktop, with none of Taro's
 * targets; Vite builds it in seconds with no configuration to share with (or break) the H5 build,
 * and keeps it out of the H5 app's bundles entirely.
 */
import path from 'node:path'
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  root: __dirname,
  base: '/',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: path.resolve(__dirname, '../../../dist/workstation'),
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 4000,
    // No inline scripts or styles anywhere: the page's CSP allows scripts from this origin only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  resolve: { alias: { '@': path.resolve(__dirname, '../../../src') } },
})
