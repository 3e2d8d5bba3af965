// A compiled stand-in cmdlet for the help converter tests: Get-Widget has two parameter sets, an enum, a switch,
// aliases and pipeline input, like the real KdcHa cmdlets, and matches Get-Widget.md exactly.
using System.Management.Automation;

namespace WidgetFixture
{
    public enum WidgetSpeed { Slow, Fast }

    [Cmdlet(VerbsCommon.Get, "Widget", DefaultParameterSetName = "ByName")]
    [OutputType(typeof(string))]
    public sealed class GetWidgetCommand : PSCmdlet
    {
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "ByName")]
        [Alias("WidgetName")]
        public string[] Name { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "ById")]
        public int Id { get; set; }

        [Parameter]
        public WidgetSpeed Speed { get; set; }

        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord() => WriteObject(Name);
    }
}
