// A webpack loader that strips TypeScript with the compiler's own transpileModule (a direct
// devDependency), for the WeChat encryption worker bundle (config/crypto-worker.ts).
const ts = require('typescript')

module.exports = function tsTranspileLoader(source) {
  const { outputText } = ts.transpileModule(source, {
    fileName: this.resourcePath,
    compilerOptions: { target: ts.ScriptTarget.ES5, module: ts.ModuleKind.ESNext, importHelpers: false, sourceMap: false },
  })
  return outputText
}
