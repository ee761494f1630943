export default definePageConfig({ navigationBarTitleText: '涉网黑恶线索举报' })
