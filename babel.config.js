// babel-preset-taro builds both targets; TypeScript is stripped by Babel and checked by `npm run typecheck`.
module.exports = {
  presets: [['taro', { framework: 'react', ts: true, compiler: 'webpack5' }]],
}
