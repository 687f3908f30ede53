# %% [markdown]
# # 其他评估任务：社会认可度、特殊群体、控辍保学、“双减”与集团化办学
#
# 本笔记本回答资源配置、交流轮岗、班额之外的评估任务做得怎样：
#
# 1. 社会认可度：学生、家长、教师、校长、人大代表和政协委员、社会人士的满意度是否都达到标准？
# 2. 特殊群体：适龄残疾儿童少年是否都入学，随迁子女是否在公办学校或政府购买学位就读，留守儿童是否都建立了关爱帮扶档案？
# 3. 控辍保学：辍学学生工作台账中还有多少学生未劝返复学，逐月怎样变化？
# 4. “双减”：各校是否开展课后服务、公示作业，书面作业时长是否超过规定？
# 5. 集团化办学与城乡学校共同体覆盖了多少农村中小学；强镇筑基试点镇和百强乡镇学校的创建情况（有这些县级项目时）。
#
# 每一部分读一张可选的表（满意度调查、特殊群体、控辍保学台账、课后服务与作业、集团化与联盟、强镇筑基与百强学校，
# 格式见 `data/README.md`）。缺少某张表时，该部分会说明需要哪张表、有了它能看到什么；相应的评估事项仍按“需佐证材料”
# 或“数据不足”列入台账，不会按 0 计算。
#
# 参数：`data_dir` 为数据路径（`None` = 合成演示数据），`year` 为学年（`None` = 最新），
# `township` 为镇街名称（`None` = 全县）。选择镇街时各表只显示该镇街的部分，与全县表中该镇街的行相同；
# 达标要求是全县指标，镇街版本不作达标判断。

# %% tags=["parameters"]
# 参数 (parameters)
data_dir = None
year = None
township = None

# %%
import jxedu
from jxedu.present import plan_tasks, text

# %%
a = jxedu.assess(jxedu.open_data(data_dir), year=year)
scope = a.scope(township)
text.synthetic_notice(a)

# %% [markdown]
# ## 概况

# %%
# NBVAL_CHECK_OUTPUT
print("\n".join(plan_tasks.key_figure_lines(scope)))

# %% [markdown]
# ## 社会认可度
#
# 满意度 = 满意人数 ÷ 有效问卷（含实地走访）人数。先看各类调查对象，再看各镇街和满意度偏低的学校。

# %%
plan_tasks.survey_table(scope)

# %%
plan_tasks.survey_township_table(scope)

# %%
plan_tasks.low_satisfaction_table(scope)

# %% [markdown]
# ## 残疾儿童少年、随迁子女和留守儿童
#
# 按镇街统计：残疾儿童少年入学率（随班就读、特殊教育学校、送教上门都计入）、随迁子女在公办学校和政府购买学位
# 就读的比例、留守儿童建立关爱帮扶档案的比例。

# %%
plan_tasks.special_groups_table(scope)

# %% [markdown]
# ## 控辍保学
#
# 辍学学生工作台账：学生只以化名编号登记，这里只列人数。“劝返中”“其他”为未销号。

# %%
plan_tasks.dropout_table(scope)

# %%
fig = plan_tasks.dropout_chart(scope)

# %%
plan_tasks.dropout_monthly_table(scope)

# %% [markdown]
# ## “双减”：课后服务与作业
#
# 下表只列至少一项未达标的学校：未开展课后服务或参与率偏低、未公示作业、书面作业超过规定时长。

# %%
plan_tasks.after_school_table(scope)

# %% [markdown]
# ## 集团化办学与城乡学校共同体
#
# 集团化办学、城乡学校共同体覆盖了多少农村中小学。本县规划在“规划目标”表中定了覆盖率目标时，表注写出该目标和文号。

# %%
plan_tasks.alliance_coverage_table(scope)

# %%
plan_tasks.uncovered_schools_table(scope)

# %%
plan_tasks.alliance_groups_table(scope)

# %% [markdown]
# ## 强镇筑基与百强乡镇学校

# %%
plan_tasks.projects_table(scope)

# %% [markdown]
# ## 相关评估事项（全县）
#
# 社会认可度、残疾儿童少年入学率、随迁子女、留守儿童关爱、“双减”、辍学学生工作台账和集团化覆盖率的现状与差距，
# 与台账（`jxedu ledger`）中的事项相同。

# %%
plan_tasks.items_table(scope)
