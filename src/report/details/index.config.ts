export default definePageConfig({ navigationBarTitleText: '描述受害经过' })
