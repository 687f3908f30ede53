# %% [markdown]
# # 学校布局
#
# 本笔记本回答两个问题：
#
# 1. **学校在哪里、各有多大？** 全县（或一个镇街）各类学校的分布：小学、初中、一贯制学校（九年一贯制、
#    十二年一贯制和完全中学）和教学点，圆圈大小表示义务教育阶段在校生数，颜色表示资源配置七项指标是否达标。
# 2. **孩子们住得离学校多远？** 每个村居的小学、初中学龄人口到划片学校的距离，超出步行距离的村居，
#    以及每所学校的服务范围。
#
# - 所有数字都先按全县计算，选了镇街时再只显示该镇街的部分：镇街边界附近的村居，最近的学校可能在邻近镇街，
#   所以镇街的数字与全县表中该镇街的一行完全相同。
# - 交互地图可以缩放、点击学校查看详情、在左上角搜索学校名称、在右上角开关图层。
#   底图默认用 OpenStreetMap；也可用高德（`basemap="amap"`，学校位置自动换算为高德使用的 GCJ-02 坐标）、
#   天地图（`basemap="tianditu"`，需在设置中填写天地图密钥）或不用底图（`basemap=None`，完全离线）。
# - 地图的脚本（Leaflet）取自本工具自带的副本，在本页和用 `maps.save_map(m, "文件名.html")` 存出的网页文件中
#   都不需要联网（底图瓦片除外；`basemap=None` 时完全离线）。
# - 换用本局自己的数据：把参数格中的 `data_dir` 改为数据文件夹或工作簿的路径；`year` 为学年（起始年份）；
#   `township` 填镇街名称（如 `"鸡黍镇"`）只看一个镇街，`None` 为全县。

# %% tags=["parameters"]
# 参数 (parameters)：data_dir = None 使用合成的演示数据；year = None 为最新学年；township = None 为全县
data_dir = None
year = None
township = None

# %%
import jxedu
from jxedu.present import access, maps, staticmap, text

# %% [markdown]
# ## 读取数据

# %%
a = jxedu.assess(jxedu.open_data(data_dir), year=year)
scope = a.scope(township)
text.synthetic_notice(scope)

# %% [markdown]
# ## 一、学校分布地图
#
# 圆圈边框颜色表示学校类型，填充颜色表示资源配置达标情况（达标规则见 `01_indicators.ipynb`；
# 一贯制学校的小学部和初中部都达标才算达标；规模过小、不参评的教学点为灰色），圆圈大小表示义务教育阶段在校生数。
# 村居圆点的大小表示学龄人口，紫色为超出步行距离的村居。

# %%
# NBVAL_IGNORE_OUTPUT
maps.county_map(scope)

# %% [markdown]
# ## 二、学校数量
#
# 各镇街各类学校的数量和义务教育阶段在校生数（街道在前，最后一行为全县合计）：

# %%
access.school_counts_table(scope)

# %%
# NBVAL_CHECK_OUTPUT
print(access.layout_headline(scope))

# %% [markdown]
# ## 三、学校布局图（用于报告）
#
# 与交互地图内容相同的静态图，带比例尺和指北针，可直接放入 PDF 报告。

# %%
fig = staticmap.layout_map(scope)

# %% [markdown]
# ## 四、上学距离
#
# 每个村居到划片学校（所在镇街内最近的同学段学校）的距离：有道路数据时沿道路计算，否则按直线计算。
# 步行距离上限是规划假设，不是国家标准：

# %%
access.walk_limits_note(scope)

# %%
# NBVAL_CHECK_OUTPUT
print(access.access_headline(scope, "primary"))
print(access.access_headline(scope, "junior"))

# %% [markdown]
# 本节的距离是**就近入学（最近学校）**口径：每个村居的孩子都到所在镇街内最近的学校，不论该校有没有学位。
# 布局调整方案（`06_layout_scenarios.ipynb`）的现状用**按学位容量分配**口径：学校满了，孩子分到次近、有学位的学校。
# 两个数字并列如下：

# %%
access.baselines_table(scope)

# %% [markdown]
# ### 小学
#
# 按学龄人口加权的平均距离、中位距离和 90% 分位距离，以及超出步行距离的人数和占比：

# %%
access.distance_table(scope, "primary")

# %% [markdown]
# 超出步行距离的村居（按学龄人口从多到少）——需要校车（公交助学）或寄宿：

# %%
access.beyond_walk_table(scope, "primary")

# %% [markdown]
# ### 初中

# %%
access.distance_table(scope, "junior")

# %%
access.beyond_walk_table(scope, "junior")

# %% [markdown]
# ## 五、学校服务范围
#
# 每所学校的服务范围：把每个村居划给其划片学校后，按村居之间的中线（泰森多边形）在镇街内分区。
# 把鼠标移到色块上可看到服务范围内的学龄人口和村居数。

# %%
# NBVAL_IGNORE_OUTPUT
maps.catchment_map(scope, "primary")

# %%
access.catchment_table(scope, "primary", max_rows=20)

# %%
# NBVAL_IGNORE_OUTPUT
maps.catchment_map(scope, "junior")

# %%
access.catchment_table(scope, "junior", max_rows=20)

# %% [markdown]
# ## 下一步
#
# - 校车线路、站点和未被校车覆盖的村居：`03_school_bus.ipynb`（公交助学）。
# - 资源配置七项指标的明细：`01_indicators.ipynb`。
