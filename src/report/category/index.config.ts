export default definePageConfig({ navigationBarTitleText: '选择举报类别' })
