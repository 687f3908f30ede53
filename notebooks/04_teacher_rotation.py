# %% [markdown]
# # 教师交流轮岗
#
# 本笔记本回答四个问题：
#
# 1. 每年交流轮岗的教师有多少？是否达到县计划 **每年不少于 400 人**（城镇学校 → 乡村学校和薄弱学校），
#    以及国家标准的两个比例：**交流人数不低于符合交流条件教师的 10%**、**骨干教师不低于交流人数的 20%**？
# 2. 交流的方向如何：是否从城区、镇区流向乡村和薄弱学校？是否补上了接收学校体育艺术教师和骨干教师的缺口？
# 3. 下一学年可以安排哪些教师交流（只列教师编号，不出现姓名），各校还需招聘多少体育艺术教师？
# 4. 教师 5 年 360 学时培训完成率，以及每年“最美教师”评选人数（目标 ≥ 100 人）。
#
# **符合交流条件的规则**（可在设置中修改，见 `jxedu.core.settings`）：在本校连续任教满 **6 年**
# （学年 − 本校任教起始年份 ≥ 6），且距法定退休年龄（男 60 岁、女 55 岁）**超过 5 年**。
# 教师名册是最新一期的快照，往年的符合条件人数按这份名册推算。
#
# 参数：`data_dir` 为数据路径（`None` = 合成演示数据），`year` 为学年（`None` = 最新），
# `township` 为镇街名称（`None` = 全县）。交流轮岗由全县统筹、教师跨镇街流动，所以计算总是基于全县数据；
# 选择镇街时，表格和地图只显示与该镇街有关的交流（派出或接收）。

# %% tags=["parameters"]
# 参数 (parameters)
data_dir = None
year = None
township = None

# %%
import jxedu
from jxedu.present import text
from jxedu.analysis import rotation

# %% [markdown]
# ## 读取数据
#
# 读取时教师姓名、身份证号等个人信息即被删除，本笔记本的任何输出中都只有教师编号。

# %%
ds_all = jxedu.open_data(data_dir)
ds = ds_all.subset_township(township)
text.synthetic_notice(ds_all)

# %% [markdown]
# ## 本学年交流轮岗概况
#
# 400 人是全县目标；选择镇街时按该镇街派出的教师统计，400 人一项仅作参考。

# %%
# NBVAL_CHECK_OUTPUT
print(rotation.key_figures(ds_all, year=year, township=township))

# %% [markdown]
# ## 逐年变化
#
# “城镇→乡村/薄弱学校人数”只计派出学校为城区或镇区、接收学校为乡村学校或薄弱学校（资源配置指标未达标）的交流。

# %%
trend = rotation.rotation_summary(ds_all, township=township)
rotation.to_chinese(trend)

# %%
fig = rotation.plot_rotation_trend(trend)

# %% [markdown]
# ## 各镇街情况
#
# 派出人数、骨干占比按派出学校所在镇街统计；符合交流条件人数按教师所在学校统计。

# %%
rotation.to_chinese(rotation.rotation_summary(ds_all, year=year, by="township"))

# %% [markdown]
# 各学校：

# %%
rotation.to_chinese(rotation.rotation_summary(ds_all, year=year, by="school", township=township))

# %% [markdown]
# ## 交流方向（城乡分类）
#
# 行是派出学校，列是接收学校。

# %%
matrix = rotation.direction_matrix(ds_all, year=year, township=township)
matrix

# %%
fig = rotation.plot_direction(matrix)

# %% [markdown]
# ## 交流是否补上了接收学校的缺口
#
# “交流前”取学段统计中的教师数，“交流后”加上交流到该校的教师（按任教学科和骨干级别）。
# 体育艺术教师标准为每百名学生 0.9 人，骨干教师为每百名学生 1.0 人。

# %%
gaps = rotation.gap_filling(ds_all, year=year)
rotation.to_chinese(rotation.for_township(gaps, township))

# %% [markdown]
# ## 交流流向图
#
# 线宽表示交流人数；红色外圈为薄弱学校。把鼠标移到线或学校上可看详情。

# %%
# NBVAL_IGNORE_OUTPUT
rotation.flow_map(ds_all, year=year, township=township)

# %% [markdown]
# ## 下一学年交流计划（建议）
#
# 按“先补最大缺口”的顺序安排：先把体育艺术教师派往每百名学生不足 0.9 人的乡村/薄弱学校，
# 再派骨干教师补每百名学生不足 1.0 人的学校并使骨干占比达到 20%，其余名额派往生师比最高的学校。
# 派出学校只派富余的体育艺术和骨干教师（自身不低于 0.9 和 1.0），同一镇街优先。详细规则见
# `rotation.plan_next_year` 的说明。名单只列教师编号。计划按全县编制；选择镇街时名单只显示派出或接收学校在该镇街的教师。

# %%
plan = rotation.plan_next_year(ds_all, year=year)
print(rotation.plan_summary(plan).to_string(index=False))

# %%
rotation.to_chinese(rotation.for_township(plan, township))

# %% [markdown]
# ## 各校体育艺术教师需求
#
# 每所学校（分学段）达到每百名学生 0.9 名体育艺术教师所需人数；“计划交流补充”来自上面的交流计划，
# 其余需要招聘。

# %%
needs = rotation.pe_art_needs(ds, plan=plan)
rotation.to_chinese(needs.query("need > 0"))

# %% [markdown]
# ## 培训与表彰
#
# 5 年 360 学时培训完成率要求 100%（按教师名册“近五年培训学时”统计）；“最美教师”每年不少于 100 人。

# %%
th = rotation.training_honours(ds, year=year)
rotation.to_chinese(th["training"])

# %%
# NBVAL_CHECK_OUTPUT
print(rotation.to_chinese(th["honours"]).to_string(index=False))
