# %% [markdown]
# # 资源配置指标与差异系数（县域仪表盘）
#
# 本笔记本按《县域义务教育优质均衡发展督导评估办法》（教督〔2017〕6号）计算**资源配置 7 项指标**，回答：
#
# 1. 小学、初中各有多少所学校（学段）参评，多少所达标？
# 2. 每项指标的**校际差异系数**是否在上限以内？（差异系数是全县指标，只对全县计算。）
# 3. 哪些学校未达标、差在哪里、**补多少**才能达标？各镇街合计要补多少教师、多少平方米、多少设备经费？
# 4. 政府保障程度等其他可由数据计算的评估项目现状如何？
#
# 口径说明：
#
# - 参评单位：小学、初中各算一个；九年一贯制学校分为小学部、初中部；十二年一贯制学校分为小学部、初中部（高中部不参评）；
#   完全中学只算初中部；在校生达到下限的教学点单独作为一所小学参评（下限是设置项，见下表）。
# - 一贯制学校和完全中学的**共用设施**（教学及辅助用房、体育运动场馆、教学仪器设备、网络多媒体教室）按加权学生数分摊；
#   教师按各学部实际任教学段统计。
# - 达标：7 项中至少达到规定项数，且未达到的项不低于标准的规定比例（见下表）。
# - 差异系数按**学生数加权**计算（总体标准差 ÷ 加权均值）；与上限比较时不取整，显示时保留 3 位小数、均值保留 2 位小数。
# - 换用本局数据：把参数格中的 `data_dir` 改为 Excel 工作簿或数据文件夹的路径，`year` 改为学年（如 `2024`）；
#   `township` 填镇街名称（如 `"胡集镇"`）只看一个镇街（镇街的数字是全县计算结果中属于该镇街的部分）。

# %% tags=["parameters"]
# 参数 (parameters)：data_dir = None 使用合成的演示数据；year = None 使用最新学年；township = None 为全县
data_dir = None
year = None
township = None

# %%
import jxedu
from jxedu.present import assurance, indicators, text

# %% [markdown]
# ## 读取数据

# %%
a = jxedu.assess(jxedu.open_data(data_dir), year=year)
scope = a.scope(township)
text.synthetic_notice(a)

# %% [markdown]
# 本页用到的标准值与设置（来自标准表 `jxedu/data/standards.csv` 和设置 `jxedu/core/settings.py`）：

# %%
indicators.rules_table(a)

# %% [markdown]
# ## 关键数字
#
# 各学段参评学校（学段）数、达标数；全县时还有 7 项指标的差异系数（✓ 表示不超过上限）。

# %%
# NBVAL_CHECK_OUTPUT
print(indicators.key_figures(scope))

# %% [markdown]
# ## 差异系数与上限（全县）
#
# 每条横条是一项指标的校际差异系数，虚线为上限；红色表示超过上限。

# %%
fig = indicators.cv_chart(a)

# %%
indicators.balance_table(a)

# %% [markdown]
# ## 各镇街达标情况
#
# 各镇街小学、初中参评学校中达标的比例（全县时最后一行为全县）。

# %%
fig = indicators.passing_chart(a)

# %%
indicators.passing_table(scope)

# %% [markdown]
# ## 未达标学校及差距
#
# 下表列出未达标的学校（学段）和它们未达到标准的指标：实际值 / 标准值（达到标准的比例）。

# %%
indicators.failing_table(scope)

# %% [markdown]
# ## 达标所需的最少措施
#
# 对每所未达标学校，先补齐低于标准底线的指标，再按“差距最小的指标优先”补齐其余指标，直到达到规定项数。
# 教师按整数人计，多媒体教室按整数间计；一贯制学校的共用设施按加权学生数分摊，措施中同时给出学校层面需增加的数量。

# %%
indicators.plan_table(scope)

# %% [markdown]
# ### 合计：达标所需补充的教师、用房、场馆、设备和教室
#
# 教师按学部相加；共用设施按学校计（取各学部所需的最大值，一次建设即可同时满足各学部）。

# %%
indicators.totals_table(scope)

# %% [markdown]
# ## 差异系数的单项改进措施（全县）
#
# 对超过上限或接近上限的指标，列出只改变一所学校（把它提高到标准值或县域均值）就能使差异系数回到目标以内的措施；
# 若没有任何单项措施足够，则列出效果最好的一项并注明“✗”。

# %%
indicators.cv_fixes_table(a)

# %% [markdown]
# ## 政府保障程度、教育质量与县规划目标（全县）
#
# 可由数据计算的评估项目（音乐美术专用教室、学校规模、班额、培训、交流轮岗、持证上岗等）的现状；
# 县规划目标只列数据“规划目标”表中本县实施方案定了的目标（没有该表时只列国家标准）。
# 需要佐证材料的项目请在台账（`jxedu ledger`）中登记。

# %%
assurance.items_table(a)

# %% [markdown]
# ## 教师名册核对
#
# 第 1、2 项指标用学段统计中填报的“高于规定学历教师数”“县级以上骨干教师数”计算。有教师表时，按名册逐校逐学段
# 核对这两个数（高于规定学历：小学专科及以上、初中本科及以上；骨干：县级及以上），下表列出不一致的学部。

# %%
indicators.roster_check_table(scope)

# %% [markdown]
# ## 历年变化（全县）
#
# 数据中每个学年的达标比例和差异系数，看整改是否有效、哪些指标在变差。

# %%
fig = indicators.trend_chart(a, what="passing_share")

# %%
fig = indicators.trend_chart(a, what="cv")

# %%
fig = assurance.trend_chart(a)

# %% [markdown]
# ## 说明
#
# - 命令行：`jxedu indicators 数据路径 --year 学年` 输出同样的摘要；加 `--json` 输出供其他系统使用的 JSON。
# - 标准值来自 `jxedu/data/standards.csv`；未经核实的口径（如教学点人数下限、差异系数是否取整后比较）在设置中修改。
