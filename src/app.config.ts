export default defineAppConfig({
  pages: ['pages/index/index'],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#b71c1c',
    navigationBarTitleText: '涉网黑恶线索举报',
    navigationBarTextStyle: 'white',
  },
  __usePrivacyCheck__: true,
})
