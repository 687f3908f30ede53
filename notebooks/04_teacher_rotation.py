# %% [markdown]
# # 教师交流轮岗
#
# 本笔记本回答四个问题：
#
# 1. 每年交流轮岗的教师有多少？是否达到国家标准的两个比例：交流人数占符合交流条件教师的比例、骨干教师占交流人数的比例？
#    本县规划定有年度交流人数目标的（数据的“规划目标”表），当年人数和规划以来的年均人数是否达到？
# 2. 交流的方向如何：是否从城区、镇区流向乡村和薄弱学校？是否补上了接收学校体育艺术教师和骨干教师的缺口？
# 3. 下一学年可以安排哪些教师交流（只列教师编号，不出现姓名），各校还需招聘多少体育艺术教师？
# 4. 教师五年培训学时的完成率，以及每年“最美教师”的评选人数。
#
# 参数：`data_dir` 为数据路径（`None` = 合成演示数据），`year` 为学年（`None` = 最新），
# `township` 为镇街名称（`None` = 全县）。交流轮岗由全县统筹、教师跨镇街流动，所以计算总是基于全县数据；
# 选择镇街时，表格和地图只显示与该镇街有关的交流（派出或接收学校在该镇街），县规划目标和两个比例只在全县版本中判断是否达标。

# %% tags=["parameters"]
# 参数 (parameters)
data_dir = None
year = None
township = None

# %%
import jxedu
from jxedu.present import teachers, text

# %% [markdown]
# ## 读取数据
#
# 读取时教师姓名、身份证号等个人信息即被删除，本笔记本的任何输出中都只有教师编号。
# 每个数字都在全县范围算一次（`jxedu.assess`）；选择镇街时取全县结果中与该镇街有关的部分。

# %%
a = jxedu.assess(jxedu.open_data(data_dir), year=year)
scope = a.scope(township)
text.synthetic_notice(a)

# %% [markdown]
# ## 规则
#
# 下列数字取自标准表（`jxedu/data/standards.csv`）、数据中的“规划目标”表（本县实施方案的目标）和设置（`jxedu.core.settings`）；
# 符合交流条件的任教年限、退休年龄、交流人数目标的计数口径等可在设置文件中修改。

# %%
teachers.rules_note(scope)

# %% [markdown]
# ## 本学年交流轮岗概况

# %%
# NBVAL_CHECK_OUTPUT
print(teachers.key_figures(scope))

# %% [markdown]
# ## 逐年变化

# %%
teachers.trend_table(scope)

# %%
fig = teachers.trend_chart(scope)

# %% [markdown]
# ## 各镇街、各学校

# %%
teachers.township_table(scope)

# %%
teachers.school_table(scope)

# %% [markdown]
# ## 交流方向（城乡分类）
#
# 行是派出学校的城乡分类，列是接收学校的城乡分类。

# %%
teachers.direction_table(scope)

# %%
fig = teachers.direction_chart(scope)

# %% [markdown]
# ## 交流是否补上了接收学校的缺口

# %%
teachers.gap_summary(scope)

# %%
teachers.gap_table(scope)

# %% [markdown]
# ## 交流流向图
#
# 线宽表示交流人数；深色线为城镇学校到乡村或薄弱学校的交流，灰色线为其他交流；
# 学校按城乡分类着色，红色外圈为接收交流教师的薄弱学校。把鼠标移到线或学校上可看详情，右上角可开关各图层。

# %%
# NBVAL_IGNORE_OUTPUT
teachers.flow_map(scope)

# %% [markdown]
# ## 下一学年交流计划（建议）
#
# 计划按全县编制：先补接收学校体育艺术教师、骨干教师的缺口，再补生师比最高的学校（规则见名单下方的说明）。
# 选择镇街时只显示该镇街计划派出、接收的人数。

# %%
# NBVAL_CHECK_OUTPUT
print(teachers.plan_figures(scope))

# %%
teachers.plan_table(scope)

# %% [markdown]
# ## 各校体育艺术教师需求
#
# 达到每百名学生体育艺术教师配备要求（本县规划目标；没有时按国家资源配置标准）所需的人数，减去交流计划补充的人数，其余需要招聘。

# %%
teachers.pe_art_table(scope)

# %% [markdown]
# ## 培训与表彰

# %%
teachers.training_table(scope)

# %%
teachers.honours_table(scope)
