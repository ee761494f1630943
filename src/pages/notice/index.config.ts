export default definePageConfig({ navigationBarTitleText: '通告全文' })
